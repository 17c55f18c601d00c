// Refusals of the service API in IoT Hub's shape (reference 3.2, 3.3): the status, the JSON body
// {"Message":"ErrorCode:{Name};{text}","ExceptionMessage":"Tracking ID:…-TimeStamp:…"} that both
// the Node SDK (splits Message on ';') and .NET (reads the name after "ErrorCode:") understand,
// and the header iothub-errorcode: {Name}.
//
// Errors are twin::Error values (status, six-digit code, message), the type the twin library
// already refuses with, so its refusals pass through unchanged.
//
// The body and its trackingId come from hub::rest_error (hub/rest.hpp), which the HTTP listener
// answers its own refusals with: one shape for every error the hub's HTTP side sends.
//
// Thread safety: pure functions, except error_response (the context's tracking-id counter).
#pragma once

#include <string>
#include <string_view>

#include "hub/hub_context.hpp"
#include "hub/service/service_types.hpp"
#include "twin/document.hpp"

namespace fleetsim::hub::service {

// The six-digit codes of reference 3.3 the API answers with, plus two of the hub's own for
// requests no IoT Hub route matches (unknown path, wrong method): those carry a name only.
namespace code {
inline constexpr int argument_invalid = 400004;
inline constexpr int format_error = 400006;  // IotHubFormatError: the body is not JSON
inline constexpr int invalid_content_type = 400103;
inline constexpr int unauthorized_access = 401002;  // IotHubUnauthorizedAccess
inline constexpr int route_not_found = 404000;      // hub's own: no such route
inline constexpr int device_not_found = 404001;
inline constexpr int module_not_found = 404010;
inline constexpr int method_not_allowed = 405000;  // hub's own: the route exists, the method not
inline constexpr int device_already_exists = 409001;
inline constexpr int module_already_exists = 409301;
inline constexpr int precondition_failed = 412001;
inline constexpr int too_many_modules = 413003;
}  // namespace code

// "DeviceNotFound" for 404001...; codes without a name of their own get their status's.
std::string_view error_name(int error_code) noexcept;

twin::Error make_error(int error_code, std::string message);

// The complete answer for `error`, with a fresh trackingId from the context's counter.
Response error_response(HubContext& hub, const twin::Error& error, twin::Timestamp now);

}  // namespace fleetsim::hub::service
