#include "sim/backend_requests.hpp"

#include <charconv>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "sim/reported.hpp"
#include "transports/iothub/topics.hpp"

namespace fleetsim::sim {
namespace {

namespace http = transports::http;

constexpr std::string_view kObjectFrame = R"({"data":""})";  // 11 bytes around the filler

std::string decimal(std::uint64_t n) {
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof buf, n).ptr;
  return std::string(buf, end);
}

}  // namespace

void append_json_payload(std::string& out, std::uint32_t bytes) {
  if (bytes == 0) {
    out += "null";
  } else if (bytes == 1) {
    out += '0';
  } else if (bytes < kObjectFrame.size()) {
    out += '"';
    out.append(bytes - 2, 'x');
    out += '"';
  } else {
    out += R"({"data":")";
    out.append(bytes - kObjectFrame.size(), 'x');
    out += R"("})";
  }
}

std::string twin_target(std::string_view device, std::string_view module) {
  std::string target = "/twins/" + http::encode_path_segment(device);
  if (!module.empty()) target += "/modules/" + http::encode_path_segment(module);
  return target;
}

http::Request desired_request(std::string_view device, std::string_view module, std::string_view path,
                              const Value& value) {
  http::Request request;
  request.method = "PATCH";
  request.target = twin_target(device, module);
  PathValue item{path, &value};
  request.body = R"({"properties":{"desired":)";
  append_reported_patch(request.body, std::span<PathValue>(&item, 1));
  request.body += "}}";
  return request;
}

http::Request method_request(std::string_view device, std::string_view module, const Backend& spec) {
  http::Request request;
  request.method = "POST";
  request.target = twin_target(device, module) + "/methods";
  request.body = R"({"methodName":)";
  request.body += boost::json::serialize(boost::json::value(spec.name));
  request.body += R"(,"payload":)";
  append_json_payload(request.body, spec.payload_size);
  // Whole seconds, rounded up: the scenario's timeout is at least what the hub waits.
  const auto seconds = std::chrono::ceil<std::chrono::seconds>(spec.timeout).count();
  request.body += R"(,"responseTimeoutInSeconds":)" + decimal(static_cast<std::uint64_t>(seconds));
  request.body += R"(,"connectTimeoutInSeconds":0})";
  return request;
}

http::Request c2d_request(std::string_view device, const Backend& spec, Duration sent,
                          std::uint64_t message_number) {
  http::Request request;
  request.method = "POST";
  request.target = "/devices/" + http::encode_path_segment(device) + "/messages/devicebound";
  request.body.assign(spec.size, 'x');
  request.headers.reserve(spec.properties.size() + 2);
  request.headers.push_back({"iothub-messageid", "fleetsim-" + decimal(message_number)});
  for (const auto& [name, value] : spec.properties) request.headers.push_back({"iothub-app-" + name, value});
  request.headers.push_back({"iothub-app-" + std::string(kC2dSentProperty),
                             decimal(static_cast<std::uint64_t>(std::max(Duration{0}, sent).count()))});
  return request;
}

http::Request query_request(const Backend& spec, std::string_view continuation) {
  http::Request request;
  request.method = "POST";
  request.target = "/devices/query";
  request.body = R"({"query":)" + boost::json::serialize(boost::json::value(spec.sql)) + "}";
  request.headers.push_back({"x-ms-max-item-count", decimal(spec.page_size)});
  if (!continuation.empty()) request.headers.push_back({"x-ms-continuation", std::string(continuation)});
  return request;
}

std::optional<std::uint64_t> desired_version_of(std::string_view twin_body) {
  boost::system::error_code ec;
  const boost::json::value twin = boost::json::parse(twin_body, ec);
  if (ec || !twin.is_object()) return std::nullopt;
  const auto* properties = twin.get_object().if_contains("properties");
  if (properties == nullptr || !properties->is_object()) return std::nullopt;
  const auto* desired = properties->get_object().if_contains("desired");
  if (desired == nullptr || !desired->is_object()) return std::nullopt;
  const auto* version = desired->get_object().if_contains("$version");
  if (version == nullptr) return std::nullopt;
  if (version->is_uint64()) return version->as_uint64();
  if (version->is_int64() && version->as_int64() >= 0) return static_cast<std::uint64_t>(version->as_int64());
  return std::nullopt;
}

metrics::Outcome outcome_of(std::string_view action, unsigned status) noexcept {
  if (status / 100 == 2) return metrics::Outcome::ok;
  if (status == 429) return metrics::Outcome::throttled;
  if (action == "method" && status == 504) return metrics::Outcome::timeout;
  return metrics::Outcome::error;
}

std::optional<Duration> c2d_sent_time(std::string_view bag) {
  std::optional<Duration> sent;
  iothub::for_each_property(bag, [&](std::string_view key, std::string_view value) {
    if (key != kC2dSentProperty) return;
    std::uint64_t ns = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ns);
    if (ec == std::errc{} && end == value.data() + value.size()) {
      sent = Duration{static_cast<Duration::rep>(ns)};
    }
  });
  return sent;
}

}  // namespace fleetsim::sim
