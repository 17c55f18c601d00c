#include "hub/rest.hpp"

#include <array>
#include <charconv>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "hub/hub_context.hpp"
#include "hub/service/rest_adapter.hpp"

namespace fleetsim::hub {

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
  text.append(error_name).append(";").append(message);

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
