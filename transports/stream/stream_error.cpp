// StreamError's category and the names of `target.transport`.
#include "transports/stream/stream.hpp"

namespace fleetsim::transports {
namespace {

class StreamCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "fleetsim.stream"; }
  std::string message(int value) const override {
    switch (static_cast<StreamError>(value)) {
      case StreamError::tls_handshake_failed:
        return "TLS handshake failed";
      case StreamError::tls_certificate_rejected:
        return "the server's TLS certificate was rejected";
      case StreamError::tls_failed:
        return "TLS failure";
      case StreamError::ws_handshake_refused:
        return "WebSocket upgrade refused";
      case StreamError::ws_protocol_error:
        return "WebSocket protocol error";
      case StreamError::ws_closed:
        return "WebSocket closed by the peer";
      case StreamError::http_request_too_large:
        return "HTTP request head too large";
    }
    return "unknown stream error";
  }
};

}  // namespace

const boost::system::error_category& stream_category() noexcept {
  static const StreamCategory category;
  return category;
}

boost::system::error_code make_error_code(StreamError e) noexcept {
  return {static_cast<int>(e), stream_category()};
}

std::optional<Transport> parse_transport(std::string_view name) {
  if (name == "mqtt") return Transport::mqtt;
  if (name == "mqtt-tls") return Transport::mqtt_tls;
  if (name == "mqtt-ws") return Transport::mqtt_ws;
  if (name == "mqtt-wss") return Transport::mqtt_wss;
  return std::nullopt;
}

std::string_view to_string(Transport transport) noexcept {
  switch (transport) {
    case Transport::mqtt:
      return "mqtt";
    case Transport::mqtt_tls:
      return "mqtt-tls";
    case Transport::mqtt_ws:
      return "mqtt-ws";
    case Transport::mqtt_wss:
      return "mqtt-wss";
  }
  return "mqtt";
}

}  // namespace fleetsim::transports
