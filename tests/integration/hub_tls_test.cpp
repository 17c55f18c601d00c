// The hub's TLS, WebSocket and HTTP listeners over real loopback sockets: MQTT over tcp, tls, ws
// and wss; X.509 identities (CA-signed, self-signed by thumbprint, wrong CN, expired, untrusted);
// SAS tokens expiring under a live session; the HTTP router's REST 404 and refused upgrades; TLS
// handshake failures and timeouts.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <thread>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/parse.hpp>

#include "hub/hub.hpp"
#include "support/mqtt_test_client.hpp"
#include "transports/iothub/sas.hpp"
#include "transports/tls/certificates.hpp"
#include "transports/tls/tls_context.hpp"

namespace fleetsim::hub {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
using mqtt::ConnackCode;
using test::MqttTestClient;
using test::TestConnection;
using test::TestTransport;

// base64 of "0123456789abcdef0123456789abcdef"
constexpr std::string_view device_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

std::uint64_t unix_now() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

// Polls a hub-side condition until it holds or a generous deadline passes (counters are updated
// on the hub thread, a moment after the client observed the effect).
bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

std::string username(std::string_view client_id) {
  return "localhost/" + std::string(client_id) + "/?api-version=2021-04-12";
}

std::string token(std::string_view device, std::int64_t ttl_s = 3600) {
  return iothub::make_sas_token(iothub::resource_uri("localhost", device), device_key,
                                unix_now() + static_cast<std::uint64_t>(ttl_s))
      .value_or("");
}

// A client certificate with its key, in the form the TLS client takes.
struct Identity {
  tls::Der der;
  transports::ClientCertificate view() const { return {der.certificate, der.private_key}; }
};

tls::LeafRequest client_request(std::string common_name,
                                std::chrono::seconds valid_for = std::chrono::hours(24)) {
  tls::LeafRequest request;
  request.common_name = std::move(common_name);
  request.valid_for = valid_for;
  return request;
}

// A hub with every listener on a free port, its own CA in a fresh data folder, a SAS device, and
// X.509 identities: "ca-dev" (and its module "ca-dev/cam") signed by a test device CA the hub
// trusts, "self-dev" registered by the thumbprint of a self-signed certificate.
class HubTls : public ::testing::Test {
 protected:
  HubTls()
      : device_ca_(tls::Authority::create("fleetsim test device CA")),
        self_signed_{tls::self_signed_der(client_request("self-dev"))} {
    std::string pattern = (fs::temp_directory_path() / "fleetsim-hub-tls-XXXXXX").string();
    EXPECT_NE(::mkdtemp(pattern.data()), nullptr);
    data_dir_ = pattern;

    HubConfig config;
    config.mqtts_port = 0;
    config.http_port = 0;
    config.https_port = 0;
    config.data_dir = data_dir_.string();
    config.handshake_timeout = std::chrono::seconds(1);
    hub_ = std::make_unique<Hub>(config);
    EXPECT_TRUE(hub_->add_device("dev1", device_key));
    EXPECT_TRUE(hub_->add_device("ca-dev", Authentication::certificate_authority()));
    EXPECT_TRUE(hub_->add_module("ca-dev", "cam", Authentication::certificate_authority()));
    EXPECT_TRUE(hub_->add_device(
        "self-dev", Authentication::self_signed(tls::sha1_thumbprint(self_signed_.der.certificate))));
    hub_->add_trusted_ca(device_ca_.certificate_pem());
    hub_->start();

    tls::ClientOptions options;
    options.ca_file = hub_->ca_file();
    options.use_system_store = false;
    client_tls_ = std::make_unique<tls::TlsContext>(tls::TlsContext::client(options));
  }
  ~HubTls() override {
    hub_->stop();
    fs::remove_all(data_dir_);
  }

  Identity signed_by_device_ca(std::string common_name,
                               std::chrono::seconds valid_for = std::chrono::hours(24)) {
    return {device_ca_.issue_der(client_request(std::move(common_name), valid_for))};
  }

  std::unique_ptr<MqttTestClient> tls_client(const transports::ClientCertificate* certificate = nullptr) {
    auto client = std::make_unique<MqttTestClient>(hub_->mqtts_port(),
                                                   TestTransport::tls_over_tcp(*client_tls_, certificate));
    EXPECT_FALSE(client->handshake_error()) << client->handshake_error().message();
    return client;
  }

  // CONNECT over TLS with a client certificate and no password.
  std::optional<ConnackCode> x509_connect(std::string_view client_id, const Identity& identity) {
    const transports::ClientCertificate view = identity.view();
    auto client = tls_client(&view);
    return client->connect(client_id, username(client_id), std::nullopt);
  }

  fs::path data_dir_;
  tls::Authority device_ca_;
  Identity self_signed_;
  std::unique_ptr<Hub> hub_;
  std::unique_ptr<tls::TlsContext> client_tls_;
};

TEST_F(HubTls, ListensOnEveryPortAndMadeItsCaOnce) {
  EXPECT_NE(hub_->mqtt_port(), 0);
  EXPECT_NE(hub_->mqtts_port(), 0);
  EXPECT_NE(hub_->http_port(), 0);
  EXPECT_NE(hub_->https_port(), 0);
  EXPECT_EQ(hub_->ca_file(), (data_dir_ / "ca.pem").string());
  for (const char* name : {"ca.pem", "ca.key", "server.pem", "server.key"})
    EXPECT_TRUE(fs::exists(data_dir_ / name));
}

// ---- MQTT over every transport ----

struct TransportCase {
  const char* name;
  bool tls;
  bool websocket;
};

// gtest names the parameter in test listings.
void PrintTo(const TransportCase& c, std::ostream* os) {
  *os << c.name;
}

class HubTransports : public HubTls, public ::testing::WithParamInterface<TransportCase> {
 protected:
  std::unique_ptr<MqttTestClient> client() {
    const TransportCase& c = GetParam();
    TestTransport transport;
    transport.tls = c.tls;
    transport.websocket = c.websocket;
    transport.tls_context = client_tls_.get();
    std::uint16_t port = hub_->mqtt_port();
    if (c.tls) port = c.websocket ? hub_->https_port() : hub_->mqtts_port();
    if (!c.tls && c.websocket) port = hub_->http_port();
    auto result = std::make_unique<MqttTestClient>(port, transport);
    EXPECT_FALSE(result->handshake_error()) << result->handshake_error().message();
    return result;
  }
};

TEST_P(HubTransports, ConnectTwinGetAndTelemetry) {
  auto device = client();
  ASSERT_EQ(device->connect("dev1", username("dev1"), token("dev1")), ConnackCode::accepted);
  ASSERT_EQ(device->subscribe("$iothub/twin/res/#"), 0);
  device->publish("$iothub/twin/GET/?$rid=7", " ");
  const auto twin = device->receive_as<mqtt::Publish>();
  ASSERT_TRUE(twin.has_value());
  EXPECT_EQ(twin->topic, "$iothub/twin/res/200/?$rid=7");
  EXPECT_EQ(boost::json::parse(mqtt::as_string(twin->payload)),
            boost::json::parse(R"({"desired":{"$version":1},"reported":{"$version":1}})"));
  device->publish("devices/dev1/messages/events/", R"({"t":21.5})", 1, 9);
  const auto puback = device->receive_as<mqtt::Puback>();
  ASSERT_TRUE(puback.has_value());
  EXPECT_EQ(puback->packet_id, 9);
}

TEST_P(HubTransports, LargePacketsAndBurstsArriveWhole) {
  auto device = client();
  ASSERT_EQ(device->connect("dev1", username("dev1"), token("dev1")), ConnackCode::accepted);
  // 200 KB: many TLS records and WebSocket reads on the hub's side.
  const std::string payload(200 * 1024, 'p');
  std::vector<std::uint8_t> burst;
  for (std::uint16_t id = 1; id <= 3; ++id) {
    mqtt::Publish publish;
    publish.topic = "devices/dev1/messages/events/";
    publish.payload = mqtt::as_bytes(payload);
    publish.qos = 1;
    publish.packet_id = id;
    mqtt::encode(publish, burst);
  }
  device->send_raw(burst);
  for (std::uint16_t id = 1; id <= 3; ++id) {
    const auto puback = device->receive_as<mqtt::Puback>();
    ASSERT_TRUE(puback.has_value()) << id;
    EXPECT_EQ(puback->packet_id, id);
  }
}

TEST_P(HubTransports, DesiredPushesReachTheSession) {
  auto device = client();
  ASSERT_EQ(device->connect("dev1", username("dev1"), token("dev1")), ConnackCode::accepted);
  ASSERT_EQ(device->subscribe("$iothub/twin/PATCH/properties/desired/#"), 0);
  ASSERT_TRUE(hub_->update_desired("dev1", "", boost::json::parse(R"({"interval":10})")));
  const auto push = device->receive_as<mqtt::Publish>();
  ASSERT_TRUE(push.has_value());
  EXPECT_EQ(push->topic, "$iothub/twin/PATCH/properties/desired/?$version=2");
}

INSTANTIATE_TEST_SUITE_P(Each, HubTransports,
                         ::testing::Values(TransportCase{"mqtt", false, false},
                                           TransportCase{"mqtt_tls", true, false},
                                           TransportCase{"mqtt_ws", false, true},
                                           TransportCase{"mqtt_wss", true, true}),
                         [](const auto& info) { return std::string(info.param.name); });

// ---- X.509 ----

TEST_F(HubTls, CaSignedCertificateIsAccepted) {
  EXPECT_EQ(x509_connect("ca-dev", signed_by_device_ca("ca-dev")), ConnackCode::accepted);
  EXPECT_EQ(x509_connect("ca-dev/cam", signed_by_device_ca("ca-dev/cam")), ConnackCode::accepted);
}

TEST_F(HubTls, CaSignedCertificateOverWssIsAccepted) {
  const Identity identity = signed_by_device_ca("ca-dev");
  const transports::ClientCertificate view = identity.view();
  MqttTestClient device(hub_->https_port(), TestTransport::wss(*client_tls_, &view));
  ASSERT_FALSE(device.handshake_error()) << device.handshake_error().message();
  EXPECT_EQ(device.connect("ca-dev", username("ca-dev"), std::nullopt), ConnackCode::accepted);
}

TEST_F(HubTls, SelfSignedCertificateWithTheRegisteredThumbprintIsAccepted) {
  EXPECT_EQ(x509_connect("self-dev", self_signed_), ConnackCode::accepted);
  // The same CN with another key is another thumbprint.
  const Identity impostor{tls::self_signed_der(client_request("self-dev"))};
  EXPECT_EQ(x509_connect("self-dev", impostor), ConnackCode::not_authorized);
}

TEST_F(HubTls, WrongCommonNameIsRefusedWithConnack5) {
  const Identity other = signed_by_device_ca("someone-else");
  const transports::ClientCertificate view = other.view();
  auto client = tls_client(&view);
  EXPECT_EQ(client->connect("ca-dev", username("ca-dev"), std::nullopt), ConnackCode::not_authorized);
  EXPECT_TRUE(client->wait_closed());
}

TEST_F(HubTls, ExpiredCertificateIsRefused) {
  EXPECT_EQ(x509_connect("ca-dev", signed_by_device_ca("ca-dev", std::chrono::seconds(-60))),
            ConnackCode::not_authorized);
}

TEST_F(HubTls, NoCertificateIsRefused) {
  auto client = tls_client();
  EXPECT_EQ(client->connect("ca-dev", username("ca-dev"), std::nullopt), ConnackCode::not_authorized);
}

TEST_F(HubTls, ACaTrustedAtRuntimeTakesEffectForNewHandshakes) {
  const tls::Authority later_ca = tls::Authority::create("a CA added later");
  const Identity identity{later_ca.issue_der(client_request("ca-dev"))};
  EXPECT_EQ(x509_connect("ca-dev", identity), ConnackCode::not_authorized);
  hub_->add_trusted_ca(later_ca.certificate_pem());
  EXPECT_EQ(x509_connect("ca-dev", identity), ConnackCode::accepted);
  // The CAs trusted before still are.
  EXPECT_EQ(x509_connect("ca-dev", signed_by_device_ca("ca-dev")), ConnackCode::accepted);
}

// ---- SAS lifetime ----

TEST_F(HubTls, ASessionIsClosedWhenItsSasTokenExpires) {
  MqttTestClient device(hub_->mqtt_port());
  ASSERT_EQ(device.connect("dev1", username("dev1"), token("dev1", 2)), ConnackCode::accepted);
  // `se` is at most 2 s away and the sweep runs every second: closed within 3 s, 6 s is ample.
  EXPECT_TRUE(device.wait_closed(std::chrono::seconds(6)));
  EXPECT_TRUE(eventually([&] { return hub_->stats().sas_expired == 1; }));
  EXPECT_EQ(hub_->stats().keep_alive_expired, 0U);
}

TEST_F(HubTls, ASessionWithALongerTokenStaysOpen) {
  MqttTestClient device(hub_->mqtts_port(), TestTransport::tls_over_tcp(*client_tls_));
  ASSERT_EQ(device.connect("dev1", username("dev1"), token("dev1", 3600)), ConnackCode::accepted);
  EXPECT_TRUE(device.nothing_within(std::chrono::milliseconds(1500)));
  device.send(mqtt::Pingreq{});
  EXPECT_TRUE(device.receive_as<mqtt::Pingresp>().has_value());
  EXPECT_EQ(hub_->stats().sas_expired, 0U);
}

// ---- HTTP ----

// One HTTP/1.1 request and its response on `connection`.
std::optional<http::response<http::string_body>> http_exchange(TestConnection& connection,
                                                               const std::string& request) {
  connection.write(mqtt::as_bytes(request));
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  std::vector<std::uint8_t> in;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    if (!in.empty()) {
      boost::system::error_code ec;
      const std::size_t used = parser.put(boost::asio::buffer(in), ec);
      in.erase(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(used));
      if (parser.is_done()) return parser.release();
      if (ec && ec != http::error::need_more) return std::nullopt;
      if (used > 0 && !in.empty()) continue;
    }
    if (connection.read_more(in, deadline) != TestConnection::ReadResult::data) return std::nullopt;
  }
}

void expect_rest_404(const std::optional<http::response<http::string_body>>& response) {
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 404U);
  EXPECT_EQ((*response)[http::field::content_type], "application/json; charset=utf-8");
  EXPECT_EQ((*response)["iothub-errorcode"], "NotFound");
  const auto body = boost::json::parse(response->body());
  EXPECT_TRUE(std::string(body.at("Message").as_string()).starts_with("ErrorCode:NotFound;"));
  EXPECT_TRUE(body.as_object().contains("ExceptionMessage"));
}

TEST_F(HubTls, NonUpgradeRequestsGetTheRest404WithKeepAlive) {
  TestConnection plain(hub_->http_port(), TestTransport::tcp());
  const std::string get = "GET /no-such-route/dev1?api-version=2021-04-12 HTTP/1.1\r\nHost: localhost\r\n\r\n";
  expect_rest_404(http_exchange(plain, get));
  // Same connection, a request with a body.
  expect_rest_404(http_exchange(plain,
                                "PUT /no-such-route/dev2?api-version=2021-04-12 HTTP/1.1\r\nHost: localhost\r\n"
                                "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"));

  TestConnection secure(hub_->https_port(), TestTransport::tls_over_tcp(*client_tls_));
  ASSERT_FALSE(secure.handshake_error()) << secure.handshake_error().message();
  expect_rest_404(http_exchange(secure, get));
  EXPECT_TRUE(eventually([&] { return hub_->stats().http_requests == 3; }));
}

TEST_F(HubTls, OversizedRequestsAreRefusedAndClosed) {
  TestConnection head(hub_->http_port(), TestTransport::tcp());
  const auto too_long = http_exchange(
      head, "GET / HTTP/1.1\r\nHost: localhost\r\nX-Pad: " + std::string(9000, 'a') + "\r\n\r\n");
  ASSERT_TRUE(too_long.has_value());
  EXPECT_EQ(too_long->result_int(), 431U);

  TestConnection body(hub_->http_port(), TestTransport::tcp());
  const auto too_big =
      http_exchange(body, "PUT /devices/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2000000\r\n\r\n");
  ASSERT_TRUE(too_big.has_value());
  EXPECT_EQ(too_big->result_int(), 413U);
  EXPECT_TRUE(eventually([&] { return hub_->stats().http_refused == 2; }));
}

TEST_F(HubTls, AWebSocketUpgradeWithAnotherSubprotocolIsRefused) {
  TestTransport transport = TestTransport::ws();
  transport.ws_subprotocol = "chat";
  MqttTestClient refused(hub_->http_port(), transport);
  EXPECT_EQ(refused.handshake_error(),
            transports::make_error_code(transports::StreamError::ws_handshake_refused));
  EXPECT_TRUE(eventually([&] { return hub_->stats().http_refused == 1; }));
  EXPECT_EQ(hub_->stats().websocket_upgrades, 0U);
}

TEST_F(HubTls, AWebSocketUpgradeToAnotherPathIsRest404) {
  TestTransport transport = TestTransport::ws();
  transport.ws_path = "/elsewhere";
  MqttTestClient refused(hub_->http_port(), transport);
  EXPECT_EQ(refused.handshake_error(),
            transports::make_error_code(transports::StreamError::ws_handshake_refused));
  EXPECT_TRUE(eventually([&] { return hub_->stats().http_requests == 1; }));
}

// ---- TLS failures ----

TEST_F(HubTls, FailedHandshakesAreCountedAndHarmNoOne) {
  auto good = tls_client();
  ASSERT_EQ(good->connect("dev1", username("dev1"), token("dev1")), ConnackCode::accepted);

  // A client that does not trust the hub's CA gives up in the handshake.
  tls::ClientOptions strict;
  strict.use_system_store = false;
  strict.ca_file = (data_dir_ / "server.pem").string();  // not the CA
  const tls::TlsContext wrong_trust = tls::TlsContext::client(strict);
  MqttTestClient distrustful(hub_->mqtts_port(), TestTransport::tls_over_tcp(wrong_trust));
  EXPECT_EQ(distrustful.handshake_error(),
            transports::make_error_code(transports::StreamError::tls_certificate_rejected));

  // Plain MQTT on the TLS port: not a TLS record.
  MqttTestClient plain(hub_->mqtts_port());
  EXPECT_EQ(plain.connect("dev1", username("dev1"), token("dev1")), std::nullopt);
  EXPECT_TRUE(plain.wait_closed());
  EXPECT_TRUE(eventually([&] { return hub_->stats().tls_handshake_failures == 2; }));

  good->send(mqtt::Pingreq{});
  EXPECT_TRUE(good->receive_as<mqtt::Pingresp>().has_value());
}

TEST_F(HubTls, ASilentClientIsDroppedAfterTheHandshakeTimeout) {
  // The fixture's timeout is 1 s and the sweep runs every second: closed within 2 s.
  MqttTestClient silent(hub_->mqtts_port());
  EXPECT_TRUE(silent.wait_closed(std::chrono::seconds(4)));
  EXPECT_TRUE(eventually([&] { return hub_->stats().tls_handshake_failures == 1; }));
  TestConnection idle_http(hub_->http_port(), TestTransport::tcp());
  std::vector<std::uint8_t> in;
  idle_http.write(mqtt::as_bytes(std::string_view("GET / HTTP/1.1\r\n")));  // never finished
  EXPECT_EQ(idle_http.read_more(in, std::chrono::steady_clock::now() + std::chrono::seconds(4)),
            TestConnection::ReadResult::closed);
}

TEST_F(HubTls, StopEndsHandshakesAndHttpConnections) {
  MqttTestClient in_handshake(hub_->mqtts_port());
  TestConnection keep_alive(hub_->http_port(), TestTransport::tcp());
  expect_rest_404(http_exchange(keep_alive, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  auto session = tls_client();
  ASSERT_EQ(session->connect("dev1", username("dev1"), token("dev1")), ConnackCode::accepted);
  hub_->stop();
  EXPECT_TRUE(in_handshake.wait_closed(std::chrono::seconds(2)));
  std::vector<std::uint8_t> in;
  EXPECT_EQ(keep_alive.read_more(in, std::chrono::steady_clock::now() + std::chrono::seconds(2)),
            TestConnection::ReadResult::closed);
  EXPECT_TRUE(session->wait_closed(std::chrono::seconds(2)));
  EXPECT_EQ(hub_->stats().connections_open, 0U);
}

TEST(HubTlsConfig, GivenCertificateFilesAreUsedAndNoCaIsMade) {
  std::string pattern = (fs::temp_directory_path() / "fleetsim-hub-given-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const fs::path dir = pattern;
  const tls::Authority ca = tls::Authority::create("operator CA");
  tls::LeafRequest request;
  request.common_name = "localhost";
  request.dns_names = {"localhost"};
  request.ip_addresses = {"127.0.0.1"};
  request.server = true;
  const tls::Pem server = ca.issue_pem(request);
  tls::write_file_atomic((dir / "cert.pem").string(), server.certificate, false);
  tls::write_file_atomic((dir / "key.pem").string(), server.private_key, true);
  tls::write_file_atomic((dir / "ca.pem").string(), ca.certificate_pem(), false);

  HubConfig config;
  config.mqtts_port = 0;
  config.cert_file = (dir / "cert.pem").string();
  config.key_file = (dir / "key.pem").string();
  config.data_dir = (dir / "unused").string();
  Hub hub(config);
  ASSERT_TRUE(hub.add_device("dev1", device_key));
  hub.start();
  EXPECT_TRUE(hub.ca_file().empty());
  EXPECT_FALSE(fs::exists(dir / "unused"));
  tls::ClientOptions options;
  options.ca_file = (dir / "ca.pem").string();
  options.use_system_store = false;
  const tls::TlsContext client_tls = tls::TlsContext::client(options);
  MqttTestClient device(hub.mqtts_port(), TestTransport::tls_over_tcp(client_tls));
  ASSERT_FALSE(device.handshake_error()) << device.handshake_error().message();
  EXPECT_EQ(device.connect("dev1", username("dev1"), token("dev1")), ConnackCode::accepted);
  hub.stop();
  fs::remove_all(dir);

  HubConfig half;
  half.mqtts_port = 0;
  half.cert_file = "cert.pem";
  Hub broken(half);
  EXPECT_THROW(broken.start(), std::invalid_argument);
}

}  // namespace
}  // namespace fleetsim::hub
