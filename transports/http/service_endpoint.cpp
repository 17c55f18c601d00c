// Service connection strings and path segments (reference 1.2, 3.1).
#include <string>
#include <string_view>

#include "transports/http/service_client.hpp"
#include "transports/iothub/sas.hpp"
#include "transports/iothub/topics.hpp"

namespace fleetsim::transports::http {

bool parse_service_connection_string(std::string_view text, ServiceEndpoint& out, std::string& error) {
  const auto parsed = iothub::parse_connection_string(text, &error);
  if (!parsed) return false;
  // parse_connection_string accepts device strings too; the service API needs a policy's key.
  if (parsed->shared_access_key_name.empty()) {
    error = parsed->device_id.empty() ? "missing SharedAccessKeyName"
                                      : "a device connection string (DeviceId=...) cannot sign service "
                                        "requests: use a shared access policy's string "
                                        "(SharedAccessKeyName=...;SharedAccessKey=...)";
    return false;
  }
  if (!parsed->device_id.empty()) {
    error = "a service connection string has no DeviceId";
    return false;
  }
  if (parsed->shared_access_key.empty() || !iothub::base64_decode(parsed->shared_access_key)) {
    error = "SharedAccessKey is missing or not valid base64";
    return false;
  }
  ServiceEndpoint endpoint;
  endpoint.host_name = parsed->host_name;
  endpoint.address = parsed->host_name;
  endpoint.port = 443;
  endpoint.tls = true;
  endpoint.policy_name = parsed->shared_access_key_name;
  endpoint.policy_key = parsed->shared_access_key;
  out = std::move(endpoint);
  return true;
}

std::string encode_path_segment(std::string_view id) {
  return iothub::url_encode(id);
}

}  // namespace fleetsim::transports::http
