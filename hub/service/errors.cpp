#include "hub/service/errors.hpp"

#include <array>

#include "hub/rest.hpp"

namespace fleetsim::hub::service {
namespace {

struct Named {
  int code;
  std::string_view name;
};

// Reference 3.3, plus 401002 (what the real hub answers a REST call with a bad or missing token;
// 401003 IoTHubUnauthorized is the MQTT-side name) and the hub's own 404000 / 405000.
constexpr std::array<Named, 25> names{{
    {400004, "ArgumentInvalid"},
    {400006, "IotHubFormatError"},
    {400027, "ConnectionForcefullyClosedOnNewConnection"},
    {400103, "InvalidContentEncodingOrType"},
    {401002, "IotHubUnauthorizedAccess"},
    {401003, "IoTHubUnauthorized"},
    {403002, "IotHubQuotaExceeded"},
    {403004, "DeviceMaximumQueueDepthExceeded"},
    {403010, "IotHubNotAvailableInTier"},
    {404000, "NotFound"},
    {404001, "DeviceNotFound"},
    {404010, "ModuleNotFound"},
    {404103, "DeviceNotOnline"},
    {404104, "DeviceConnectionClosedRemotely"},
    {405000, "MethodNotAllowed"},
    {409001, "DeviceAlreadyExists"},
    {409301, "ModuleAlreadyExistsOnDevice"},
    {412001, "PreconditionFailed"},
    {413001, "MessageTooLarge"},
    {413003, "TooManyModulesOnDevice"},
    {429001, "ThrottlingException"},
    {429003, "ThrottlingBacklogTimeout"},
    {500001, "ServerError"},
    {503001, "ServiceUnavailable"},
    {504101, "GatewayTimeout"},
}};

std::string_view name_of_status(int status) noexcept {
  switch (status) {
    case 400:
      return "ArgumentInvalid";
    case 401:
      return "IotHubUnauthorizedAccess";
    case 404:
      return "NotFound";
    case 409:
      return "Conflict";
    case 412:
      return "PreconditionFailed";
    case 413:
      return "MessageTooLarge";
    case 429:
      return "ThrottlingException";
    default:
      return "ServerError";
  }
}

}  // namespace

std::string_view error_name(int error_code) noexcept {
  for (const Named& n : names) {
    if (n.code == error_code) return n.name;
  }
  return name_of_status(error_code / 1000);
}

twin::Error make_error(int error_code, std::string message) {
  return twin::Error{error_code / 1000, error_code, std::move(message)};
}

Response error_response(HubContext& hub, const twin::Error& error, twin::Timestamp now) {
  const std::string_view name = error_name(error.error_code);
  RestResponse rest = rest_error(hub, static_cast<unsigned>(error.status), name, error.message, now);
  Response response;
  response.status = error.status;
  response.body = std::move(rest.body);
  response.content_type = std::move(rest.content_type);
  response.error_code = name;
  return response;
}

}  // namespace fleetsim::hub::service
