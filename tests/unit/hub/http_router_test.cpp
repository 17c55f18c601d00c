// The HTTP(S) listener's decisions without sockets: requests parsed by Beast from text, routed to
// the WebSocket upgrade, a refusal or the REST hook; the default REST answer; answer bytes.
#include <gtest/gtest.h>

#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/json/parse.hpp>

#include "hub/http_router.hpp"
#include "hub/hub_context.hpp"

namespace fleetsim::hub {
namespace {

namespace http = boost::beast::http;

// Parses `text` (one whole request); the parser keeps the request alive.
class Parsed {
 public:
  explicit Parsed(const std::string& text) : text_(text) {
    parser_.eager(true);
    boost::system::error_code ec;
    parser_.put(boost::asio::buffer(text_), ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(parser_.is_done());
  }
  const HttpRequest& request() const { return parser_.get(); }

 private:
  std::string text_;
  http::request_parser<http::string_body> parser_;
};

std::string upgrade(std::string_view extra_headers, std::string_view target = "/$iothub/websocket",
                    std::string_view version = "13", std::string_view key = "dGhlIHNhbXBsZSBub25jZQ==") {
  std::string text = "GET " + std::string(target) + " HTTP/1.1\r\nHost: localhost\r\n";
  text += "Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n";
  text += "Sec-WebSocket-Version: " + std::string(version) + "\r\n";
  text += "Sec-WebSocket-Key: " + std::string(key) + "\r\n";
  text += std::string(extra_headers) + "\r\n";
  return text;
}

TEST(HttpRouter, TheIotHubWebSocketPathWithMqttIsUpgraded) {
  const Parsed parsed(
      upgrade("Sec-WebSocket-Protocol: mqtt\r\nSec-WebSocket-Extensions: permessage-deflate\r\n"));
  const HttpRoute route = route_request(parsed.request());
  ASSERT_EQ(route.kind, HttpRoute::Kind::websocket);
  EXPECT_EQ(route.key, "dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_EQ(route.subprotocol, "mqtt");
}

TEST(HttpRouter, TheSubprotocolIsFoundInAnyCaseInListsAndEchoedAsSent) {
  const Parsed c_sdk(upgrade("Sec-WebSocket-Protocol: MQTT\r\n"));
  EXPECT_EQ(route_request(c_sdk.request()).subprotocol, "MQTT");
  const Parsed listed(
      upgrade("Sec-WebSocket-Protocol: chat, mqtt\r\n", "/$iothub/websocket?iothub-no-client-cert=true"));
  const HttpRoute route = route_request(listed.request());
  EXPECT_EQ(route.kind, HttpRoute::Kind::websocket);
  EXPECT_EQ(route.subprotocol, "mqtt");
  const Parsed repeated(upgrade("Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: mqtt\r\n"));
  EXPECT_EQ(route_request(repeated.request()).kind, HttpRoute::Kind::websocket);
}

TEST(HttpRouter, AnotherSubprotocolOrNoneIsRefusedWith400) {
  for (const char* header : {"Sec-WebSocket-Protocol: mqttv5\r\n", "Sec-WebSocket-Protocol: chat\r\n", ""}) {
    const Parsed parsed(upgrade(header));
    const HttpRoute route = route_request(parsed.request());
    EXPECT_EQ(route.kind, HttpRoute::Kind::refuse) << header;
    EXPECT_EQ(route.refusal.status, 400U) << header;
  }
}

TEST(HttpRouter, AnotherWebSocketVersionIsRefusedWith426NamingThirteen) {
  const Parsed parsed(upgrade("Sec-WebSocket-Protocol: mqtt\r\n", "/$iothub/websocket", "8"));
  const HttpRoute route = route_request(parsed.request());
  ASSERT_EQ(route.kind, HttpRoute::Kind::refuse);
  EXPECT_EQ(route.refusal.status, 426U);
  ASSERT_EQ(route.refusal.headers.size(), 1U);
  EXPECT_EQ(route.refusal.headers[0].first, "Sec-WebSocket-Version");
  EXPECT_EQ(route.refusal.headers[0].second, "13");
}

TEST(HttpRouter, AKeyThatIsNotASixteenByteNonceIsRefused) {
  for (const char* key : {"", "not base64!", "c2hvcnQ="}) {
    const Parsed parsed(upgrade("Sec-WebSocket-Protocol: mqtt\r\n", "/$iothub/websocket", "13", key));
    EXPECT_EQ(route_request(parsed.request()).refusal.status, 400U) << key;
  }
}

TEST(HttpRouter, EverythingElseGoesToRest) {
  const Parsed plain("GET /devices/dev1?api-version=2021-04-12 HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(route_request(plain.request()).kind, HttpRoute::Kind::rest);
  const Parsed other_path(upgrade("Sec-WebSocket-Protocol: mqtt\r\n", "/somewhere"));
  EXPECT_EQ(route_request(other_path.request()).kind, HttpRoute::Kind::rest);
  const Parsed post("POST /$iothub/websocket HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(route_request(post.request()).kind, HttpRoute::Kind::rest);
}

TEST(HttpRouter, RestRequestsCarryTheNamedFieldsAndTheBody) {
  const Parsed parsed(
      "PUT /twins/dev%231?api-version=2020-09-30 HTTP/1.1\r\nHost: localhost\r\n"
      "authorization: SharedAccessSignature sr=localhost&sig=x&se=1&skn=iothubowner\r\n"
      "Content-Type: application/json; charset=utf-8\r\nIf-Match: \"*\"\r\nRequest-Id: 42\r\n"
      "x-ms-continuation: abc\r\nx-ms-max-item-count: 100\r\nContent-Length: 11\r\n\r\n{\"tags\":{}}");
  const RestRequest rest = rest_request_of(parsed.request());
  EXPECT_EQ(rest.method, "PUT");
  EXPECT_EQ(rest.target, "/twins/dev%231?api-version=2020-09-30");
  EXPECT_EQ(rest.authorization, "SharedAccessSignature sr=localhost&sig=x&se=1&skn=iothubowner");
  EXPECT_EQ(rest.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(rest.if_match, "\"*\"");
  EXPECT_EQ(rest.request_id, "42");
  EXPECT_EQ(rest.continuation, "abc");
  EXPECT_EQ(rest.max_item_count, "100");
  EXPECT_EQ(rest.body, "{\"tags\":{}}");
}

TEST(Rest, TheDefaultDispatcherIsTheServiceApiWithIotHubErrors) {
  HubContext hub("localhost");
  const auto now = twin::Timestamp(std::chrono::seconds(1'800'000'000));
  const Parsed unknown("GET /no-such-route/dev1?api-version=2021-04-12 HTTP/1.1\r\nHost: localhost\r\n\r\n");
  const RestResponse response = hub.rest_dispatcher(hub, rest_request_of(unknown.request()), now);
  EXPECT_EQ(response.status, 404U);
  EXPECT_EQ(response.content_type, "application/json; charset=utf-8");
  const auto body = boost::json::parse(response.body).as_object();
  const std::string message(body.at("Message").as_string());
  EXPECT_TRUE(message.starts_with("ErrorCode:NotFound;")) << message;
  const std::string exception(body.at("ExceptionMessage").as_string());
  EXPECT_TRUE(exception.starts_with("Tracking ID:")) << exception;
  EXPECT_NE(exception.find("-TimeStamp:2027-01-15T08:00:00"), std::string::npos) << exception;

  // A service route without an Authorization header is refused, not served.
  const Parsed anonymous("GET /devices/dev1?api-version=2021-04-12 HTTP/1.1\r\nHost: localhost\r\n\r\n");
  const RestResponse refused = hub.rest_dispatcher(hub, rest_request_of(anonymous.request()), now);
  EXPECT_EQ(refused.status, 401U);
  const std::string refusal(boost::json::parse(refused.body).at("Message").as_string());
  EXPECT_TRUE(refusal.starts_with("ErrorCode:IotHubUnauthorizedAccess;")) << refusal;
}

TEST(Rest, TrackingIdsDiffer) {
  HubContext hub("localhost");
  const auto now = twin::Timestamp(std::chrono::seconds(1'800'000'000));
  EXPECT_NE(rest_error(hub, 400, "ArgumentInvalid", "x", now).body,
            rest_error(hub, 400, "ArgumentInvalid", "x", now).body);
}

TEST(HttpAnswer, SerializesStatusLengthHeadersAndClose) {
  RestResponse response = plain_response(404, "nope\n");
  response.headers.emplace_back("iothub-errorcode", "NotFound");
  EXPECT_EQ(serialize_response(response, true),
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n"
            "iothub-errorcode: NotFound\r\n\r\nnope\n");
  RestResponse empty;
  empty.status = 204;
  EXPECT_EQ(serialize_response(empty, false), "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
}

}  // namespace
}  // namespace fleetsim::hub

namespace fleetsim::hub {
namespace {

TEST(RestStatusCounters, EachKnownStatusHasItsCounterAndTheRestShareOther) {
  Counters counters;
  counters.count_rest_status(404);
  counters.count_rest_status(404);
  counters.count_rest_status(412);
  counters.count_rest_status(418);
  counters.count_rest_status(200);
  auto at = [&](unsigned status) {
    for (std::size_t i = 0; i < Counters::kRestStatuses.size(); ++i) {
      if (Counters::kRestStatuses[i] == status) return counters.rest_by_status[i].load();
    }
    return counters.rest_by_status.back().load();
  };
  EXPECT_EQ(at(404), 2U);
  EXPECT_EQ(at(412), 1U);
  EXPECT_EQ(at(200), 1U);
  EXPECT_EQ(at(401), 0U);
  EXPECT_EQ(counters.rest_by_status.back().load(), 1U);  // 418
}

}  // namespace
}  // namespace fleetsim::hub
