#include "hub/rest.hpp"

#include <array>
#include <charconv>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "hub/hub_context.hpp"
#include "hub/service/rest_adapter.hpp"

namespace fleetsim::hub {
namespace {

// The length of the well-formed UTF-8 sequence (RFC 3629) at text[i], 0 if there is none.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) noexcept {
  const auto byte = [text](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the second byte's range: no overlongs, surrogates, > U+10FFFF
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (text.size() - i < length || byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

// Messages echo request bytes (a path, a content type) that need not be UTF-8, while a JSON body
// must be (RFC 8259 8.1; parsers refuse it otherwise): each stray byte becomes U+FFFD.
void append_as_utf8(std::string& out, std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      out.append("\xEF\xBF\xBD");
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
}

}  // namespace

RestResponse rest_error(HubContext& hub, unsigned status, std::string_view error_name,
                        std::string_view message, twin::Timestamp now) {
  // A counter is unique within the hub's life, which is all a tracking id promises here.
  std::array<char, 24> tracking{};
  const auto written =
      std::to_chars(tracking.data(), tracking.data() + tracking.size(), ++hub.last_tracking_id, 16);
  const std::string_view tracking_id(tracking.data(),
                                     static_cast<std::size_t>(written.ptr - tracking.data()));
  std::string exception = "Tracking ID:";
  exception.append(tracking_id).append("-TimeStamp:").append(twin::format_timestamp(now));
  std::string text = "ErrorCode:";
  text.append(error_name).append(";");
  append_as_utf8(text, message);

  boost::json::object body;
  body["Message"] = text;
  body["ExceptionMessage"] = exception;
  RestResponse response;
  response.status = status;
  response.content_type = kJsonContentType;
  response.body = boost::json::serialize(body);
  response.headers.emplace_back("iothub-errorcode", error_name);
  return response;
}

RestResponse dispatch_to_service_api(HubContext& hub, const RestRequest& request, twin::Timestamp now) {
  service::Request service_request = service::from_rest(request);
  service_request.iothub_headers = request.iothub_headers;
  service_request.waiter = request.waiter;
  service::Response response = hub.service_api.handle(hub, service_request, now);
  std::string message_id = std::move(response.message_id);
  RestResponse rest = service::to_rest(std::move(response));
  if (!message_id.empty()) rest.headers.emplace_back("iothub-messageid", std::move(message_id));
  return rest;
}

}  // namespace fleetsim::hub
