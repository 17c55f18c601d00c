// The one instantiation of the client connection for plain TCP, compiled once for the whole
// program instead of in every file that includes the template.
#include "transports/mqtt/client_connection.hpp"

namespace fleetsim::mqtt {

template class ClientConnection<boost::asio::ip::tcp::socket>;

}  // namespace fleetsim::mqtt
