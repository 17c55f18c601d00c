// transports::http::ServiceClient over loopback: against the real hub's HTTPS and HTTP listeners
// (registry create/get, 404 with its error code, 401, keep-alive), and against small scripted
// servers (a server that closes kept connections, one that never answers, a refused port), plus
// a TLS handshake with the wrong trust.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>

#include "hub/hub.hpp"
#include "transports/http/service_client.hpp"
#include "transports/stream/stream.hpp"
#include "transports/tls/tls_context.hpp"

namespace fleetsim::transports::http {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using asio::ip::tcp;
using namespace std::chrono_literals;

// Runs one send() to completion on `io`.
boost::system::error_code send(asio::io_context& io, ServiceClient& client, const Request& request,
                               Response& out, std::chrono::milliseconds timeout = 5s) {
  boost::system::error_code result = asio::error::would_block;
  asio::co_spawn(io, client.send(request, out, timeout),
                 [&result](std::exception_ptr e, boost::system::error_code ec) {
                   if (e) std::rethrow_exception(e);
                   result = ec;
                 });
  io.restart();
  io.run();
  return result;
}

Request get(std::string target) {
  Request request;
  request.target = std::move(target);
  return request;
}

// A hub with HTTP and HTTPS listeners on free ports and its own CA in a fresh data folder.
class ServiceClientHub : public ::testing::Test {
 protected:
  ServiceClientHub() {
    std::string pattern = (fs::temp_directory_path() / "fleetsim-service-client-XXXXXX").string();
    EXPECT_NE(::mkdtemp(pattern.data()), nullptr);
    data_dir_ = pattern;
    hub::HubConfig config;
    config.http_port = 0;
    config.https_port = 0;
    config.data_dir = data_dir_.string();
    hub_ = std::make_unique<hub::Hub>(config);
    hub_->start();
    std::string error;
    EXPECT_TRUE(parse_service_connection_string(hub_->service_connection_string(), endpoint_, error))
        << error;
    endpoint_.address = "127.0.0.1";
    endpoint_.port = hub_->https_port();
    tls::ClientOptions options;
    options.ca_file = hub_->ca_file();
    options.use_system_store = false;
    tls_ = std::make_unique<tls::TlsContext>(tls::TlsContext::client(options));
  }
  ~ServiceClientHub() override {
    hub_->stop();
    fs::remove_all(data_dir_);
  }

  fs::path data_dir_;
  std::unique_ptr<hub::Hub> hub_;
  ServiceEndpoint endpoint_;
  std::unique_ptr<tls::TlsContext> tls_;
  asio::io_context io_;
};

TEST_F(ServiceClientHub, CreatesAndReadsADeviceOverHttps) {
  ServiceClient client(io_, endpoint_, tls_.get());
  Request put;
  put.method = "PUT";
  put.target = "/devices/" + encode_path_segment("dev:1@x");
  put.body = R"({"deviceId":"dev:1@x"})";
  Response created;
  ASSERT_FALSE(send(io_, client, put, created)) << client.last_error();
  EXPECT_EQ(created.status, 200u) << created.body;
  const auto device = boost::json::parse(created.body).as_object();
  EXPECT_EQ(device.at("deviceId").as_string(), "dev:1@x");
  const std::string key(device.at("authentication").at("symmetricKey").at("primaryKey").as_string());
  EXPECT_EQ(key.size(), 44u);

  Response read;
  ASSERT_FALSE(send(io_, client, get("/devices/dev%3A1%40x"), read)) << client.last_error();
  EXPECT_EQ(read.status, 200u);
  EXPECT_EQ(
      boost::json::parse(read.body).at("authentication").at("symmetricKey").at("primaryKey").as_string(),
      key);
  EXPECT_EQ(boost::json::parse(read.body).at("etag").as_string(),
            boost::json::parse(created.body).at("etag"));
}

TEST_F(ServiceClientHub, UnknownDeviceIs404WithItsErrorCode) {
  ServiceClient client(io_, endpoint_, tls_.get());
  Response out;
  ASSERT_FALSE(send(io_, client, get("/devices/nobody"), out)) << client.last_error();
  EXPECT_EQ(out.status, 404u);
  EXPECT_EQ(out.error_code, "DeviceNotFound");
  EXPECT_NE(out.body.find("ErrorCode:DeviceNotFound"), std::string::npos) << out.body;
}

TEST_F(ServiceClientHub, WrongKeyIs401) {
  endpoint_.policy_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
  ServiceClient client(io_, endpoint_, tls_.get());
  Response out;
  ASSERT_FALSE(send(io_, client, get("/statistics/devices"), out)) << client.last_error();
  EXPECT_EQ(out.status, 401u);
  EXPECT_FALSE(out.error_code.empty());
}

TEST_F(ServiceClientHub, KeepsOneConnectionAlive) {
  ServiceClient client(io_, endpoint_, tls_.get());
  for (int i = 0; i < 5; ++i) {
    Request put;
    put.method = "PUT";
    put.target = "/devices/keep-" + std::to_string(i);
    put.body = "{}";
    Response out;
    ASSERT_FALSE(send(io_, client, put, out)) << client.last_error();
    EXPECT_EQ(out.status, 200u) << out.body;
  }
  Response stats;
  ASSERT_FALSE(send(io_, client, get("/statistics/devices"), stats)) << client.last_error();
  EXPECT_EQ(boost::json::parse(stats.body).at("totalDeviceCount").as_int64(), 5);
  EXPECT_EQ(client.connections_opened(), 1u);
  EXPECT_EQ(hub_->stats().http_requests, 6u);
}

TEST_F(ServiceClientHub, SpeaksPlainHttpToTheHttpListener) {
  endpoint_.tls = false;
  endpoint_.port = hub_->http_port();
  ServiceClient client(io_, endpoint_, nullptr);
  Response out;
  ASSERT_FALSE(send(io_, client, get("/statistics/devices"), out)) << client.last_error();
  EXPECT_EQ(out.status, 200u);
  EXPECT_EQ(boost::json::parse(out.body).at("totalDeviceCount").as_int64(), 0);
}

TEST_F(ServiceClientHub, UntrustedCertificateIsAReadableTlsError) {
  tls::ClientOptions options;  // neither the hub's CA nor the system store
  options.use_system_store = false;
  const tls::TlsContext untrusting = tls::TlsContext::client(options);
  ServiceClient client(io_, endpoint_, &untrusting);
  Response out;
  const auto ec = send(io_, client, get("/statistics/devices"), out);
  EXPECT_EQ(ec, StreamError::tls_certificate_rejected) << ec.message();
  EXPECT_NE(client.last_error().find("TLS handshake with localhost"), std::string::npos)
      << client.last_error();
  EXPECT_NE(client.last_error().find("certificate verify failed"), std::string::npos) << client.last_error();
}

TEST_F(ServiceClientHub, ResolvesAHostName) {
  endpoint_.address = "localhost";
  ServiceClient client(io_, endpoint_, tls_.get());
  Response out;
  ASSERT_FALSE(send(io_, client, get("/statistics/devices"), out)) << client.last_error();
  EXPECT_EQ(out.status, 200u);
}

// A plain HTTP server on its own thread answering each connection's first request with 200 and
// then closing it without saying so (no "Connection: close"), as a server whose keep-alive
// timeout passed would; or, with `silent`, accepting and never answering.
class ScriptedServer {
 public:
  explicit ScriptedServer(bool silent)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    if (!silent) thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    stopping_ = true;
    if (thread_.joinable()) {
      // Closing the acceptor does not wake a blocking accept(); a connection does.
      boost::system::error_code ignored;
      tcp::socket wake(io_);
      wake.connect(acceptor_.local_endpoint(), ignored);
      thread_.join();
    }
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int connections() const { return connections_; }

 private:
  void serve() {
    while (!stopping_) {
      boost::system::error_code ec;
      tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      ++connections_;
      asio::streambuf head;
      asio::read_until(socket, head, "\r\n\r\n", ec);
      if (ec) continue;
      const std::string_view answer =
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
      asio::write(socket, asio::buffer(answer), ec);
      socket.shutdown(tcp::socket::shutdown_both, ec);
    }
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
};

ServiceEndpoint plain_endpoint(std::uint16_t port) {
  ServiceEndpoint endpoint;
  endpoint.tls = false;
  endpoint.port = port;
  endpoint.policy_name = "iothubowner";
  endpoint.policy_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
  return endpoint;
}

TEST(ServiceClient, RetriesOnceWhenTheKeptConnectionWasClosed) {
  ScriptedServer server(false);
  asio::io_context io;
  ServiceClient client(io, plain_endpoint(server.port()), nullptr);
  for (int i = 0; i < 3; ++i) {
    Response out;
    ASSERT_FALSE(send(io, client, get("/statistics/devices"), out)) << i << ": " << client.last_error();
    EXPECT_EQ(out.status, 200u);
    EXPECT_EQ(out.body, "{}");
  }
  EXPECT_EQ(client.connections_opened(), 3u);
  EXPECT_EQ(server.connections(), 3);
}

TEST(ServiceClient, TimesOutAgainstAServerThatNeverAnswers) {
  ScriptedServer server(true);  // the kernel completes the handshake; nobody reads or answers
  asio::io_context io;
  ServiceClient client(io, plain_endpoint(server.port()), nullptr);
  Response out;
  const auto started = std::chrono::steady_clock::now();
  const auto ec = send(io, client, get("/statistics/devices"), out, 200ms);
  EXPECT_EQ(ec, asio::error::timed_out);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 200ms);
  EXPECT_NE(client.last_error().find("within 200 ms"), std::string::npos) << client.last_error();
  EXPECT_EQ(out.status, 0u);
}

TEST(ServiceClient, TlsHandshakeTimesOutAgainstASilentServer) {
  ScriptedServer server(true);
  asio::io_context io;
  ServiceEndpoint endpoint = plain_endpoint(server.port());
  endpoint.tls = true;
  const tls::TlsContext context = tls::TlsContext::client({});
  ServiceClient client(io, endpoint, &context);
  Response out;
  EXPECT_EQ(send(io, client, get("/statistics/devices"), out, 200ms), asio::error::timed_out);
}

TEST(ServiceClient, RefusedConnectSaysWhere) {
  std::uint16_t port = 0;
  {
    ScriptedServer closed(true);
    port = closed.port();
  }
  asio::io_context io;
  ServiceClient client(io, plain_endpoint(port), nullptr);
  Response out;
  EXPECT_EQ(send(io, client, get("/statistics/devices"), out), asio::error::connection_refused);
  EXPECT_EQ(client.last_error(),
            "connect to 127.0.0.1:" + std::to_string(port) + " failed: Connection refused");
}

TEST(ServiceClient, RefusesAKeyThatIsNotBase64) {
  asio::io_context io;
  ServiceEndpoint endpoint = plain_endpoint(1);
  endpoint.policy_key = "not base64!";
  ServiceClient client(io, endpoint, nullptr);
  Response out;
  EXPECT_TRUE(send(io, client, get("/statistics/devices"), out));
  EXPECT_NE(client.last_error().find("not valid base64"), std::string::npos) << client.last_error();
  EXPECT_EQ(client.connections_opened(), 0u);
}

}  // namespace
}  // namespace fleetsim::transports::http
