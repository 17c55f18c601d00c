// The one instantiation of the client connection over transports::Stream (tcp | tls | ws | wss),
// compiled once for the whole program instead of in every file that includes the template.
#include "transports/mqtt/client_connection.hpp"

namespace fleetsim::mqtt {

template class ClientConnection<transports::Stream>;

}  // namespace fleetsim::mqtt
