// transports::Stream over real loopback sockets, client and server in one io_context: echo over
// tcp, tls, ws and wss; certificate verification and its failure reasons; session resumption;
// client certificates as the hub sees them; WebSocket upgrades refused, control frames, and a
// peer that writes one byte at a time.
#include <gtest/gtest.h>

#include <openssl/ssl.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "transports/iothub/ascii.hpp"
#include "transports/stream/stream.hpp"
#include "transports/stream/websocket.hpp"
#include "transports/stream/websocket_handshake.hpp"
#include "transports/tls/certificates.hpp"
#include "transports/tls/tls_context.hpp"

namespace fleetsim::transports {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;
using Bytes = std::vector<std::uint8_t>;
constexpr auto token = asio::as_tuple(asio::use_awaitable);

bool would_block(const error_code& ec) {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}

Bytes pattern(std::size_t size) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>((i * 131) ^ (i >> 9));
  return out;
}

// Keys and certificates for every test, made once: the hub's CA and server certificate, another
// CA nobody trusts, a CA for device certificates and devices' certificates.
struct Material {
  std::string dir;
  std::string server_ca_file, other_ca_file, client_ca_file, server_cert_file, server_key_file;
  tls::Der client_leaf, self_signed, expired_leaf;
};

class Streams : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    material_ = new Material;
    Material& m = *material_;
    std::string pattern = ::testing::TempDir() + "fleetsim-stream-XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    m.dir = pattern;
    const tls::Authority server_ca = tls::Authority::create("fleetsim hub test CA");
    const tls::Authority other_ca = tls::Authority::create("untrusted CA");
    const tls::Authority client_ca = tls::Authority::create("device CA");
    const tls::Pem server = server_ca.issue_pem({.common_name = "localhost",
                                                 .dns_names = {"localhost"},
                                                 .ip_addresses = {"127.0.0.1"},
                                                 .server = true});
    m.server_ca_file = m.dir + "/server-ca.pem";
    m.other_ca_file = m.dir + "/other-ca.pem";
    m.client_ca_file = m.dir + "/client-ca.pem";
    m.server_cert_file = m.dir + "/server.pem";
    m.server_key_file = m.dir + "/server.key";
    tls::write_file_atomic(m.server_ca_file, server_ca.certificate_pem(), false);
    tls::write_file_atomic(m.other_ca_file, other_ca.certificate_pem(), false);
    tls::write_file_atomic(m.client_ca_file, client_ca.certificate_pem(), false);
    tls::write_file_atomic(m.server_cert_file, server.certificate, false);
    tls::write_file_atomic(m.server_key_file, server.private_key, true);
    m.client_leaf = client_ca.issue_der({.common_name = "dev1"});
    m.self_signed = tls::self_signed_der({.common_name = "dev2"});
    m.expired_leaf = client_ca.issue_der(
        {.common_name = "dev3", .valid_from = std::chrono::hours(-48), .valid_for = std::chrono::hours(-1)});
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(material_->dir);
    delete material_;
    material_ = nullptr;
  }

  static tls::TlsContext server_context() {
    return tls::TlsContext::server({.cert_file = material_->server_cert_file,
                                    .key_file = material_->server_key_file,
                                    .client_ca_files = {material_->client_ca_file}});
  }
  static tls::TlsContext client_context(bool verify = true) {
    return tls::TlsContext::client(
        {.ca_file = material_->server_ca_file, .use_system_store = false, .verify = verify});
  }

  Streams() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}

  tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }

  // Runs the client and server coroutines to completion, within a deadline.
  void run(std::function<asio::awaitable<void>(Stream&)> server,
           std::function<asio::awaitable<void>()> client) {
    io_.restart();
    bool server_done = false;
    bool client_done = false;
    auto rethrow = [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    };
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          auto [ec, socket] = co_await acceptor_.async_accept(token);
          EXPECT_FALSE(ec) << ec.message();
          if (ec) co_return;
          Stream stream(std::move(socket));
          co_await server(stream);
          server_done = true;
        },
        rethrow);
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          co_await client();
          client_done = true;
        },
        rethrow);
    io_.run_for(std::chrono::seconds(20));
    EXPECT_TRUE(server_done) << "the server side did not finish in time";
    EXPECT_TRUE(client_done) << "the client side did not finish in time";
  }

  static Material* material_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
};
Material* Streams::material_ = nullptr;

// ---- coroutine helpers ----

asio::awaitable<error_code> connect(Stream& stream, const tcp::endpoint& to) {
  auto [ec] = co_await stream.async_connect(to, token);
  if (ec) co_return ec;
  stream.socket().set_option(tcp::no_delay(true));
  stream.socket().non_blocking(true);
  co_return error_code{};
}

// Writes `data` in write_some calls of at most `piece` bytes, retrying the unwritten rest.
asio::awaitable<error_code> write_in_pieces(Stream& stream, std::span<const std::uint8_t> data,
                                            std::size_t piece) {
  std::size_t done = 0;
  while (done < data.size()) {
    error_code ec;
    done += stream.write_some(asio::buffer(data.data() + done, std::min(piece, data.size() - done)), ec);
    if (ec && !would_block(ec)) co_return ec;
    if (ec) {
      auto [wait_ec] = co_await stream.async_wait(Stream::wait_write, token);
      if (wait_ec) co_return wait_ec;
    }
  }
  co_return error_code{};
}

// Reads until `out` holds `total` bytes: one read_some per readiness, into a small buffer, as
// the MQTT client connection does (so a layer holding bytes back would hang it).
asio::awaitable<error_code> read_total(Stream& stream, Bytes& out, std::size_t total,
                                       std::size_t buffer_size = 1000) {
  Bytes buffer(buffer_size);
  while (out.size() < total) {
    auto [ec] = co_await stream.async_wait(Stream::wait_read, token);
    if (ec) co_return ec;
    error_code read_ec;
    const std::size_t n = stream.read_some(asio::buffer(buffer), read_ec);
    if (would_block(read_ec)) continue;
    if (read_ec) co_return read_ec;
    out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
  }
  co_return error_code{};
}

// Echoes until the end of the stream; returns what ended it (eof after a clean close).
asio::awaitable<error_code> echo(Stream& stream) {
  Bytes buffer(16 * 1024);
  for (;;) {
    auto [ec] = co_await stream.async_wait(Stream::wait_read, token);
    if (ec) co_return ec;
    error_code read_ec;
    const std::size_t n = stream.read_some(asio::buffer(buffer), read_ec);
    if (would_block(read_ec) || (!read_ec && n == 0)) continue;
    if (read_ec) co_return read_ec;
    auto [write_ec, written] = co_await asio::async_write(stream, asio::buffer(buffer.data(), n), token);
    if (write_ec) co_return write_ec;
  }
}

std::string_view header_value(std::string_view head, std::string_view name) {
  std::size_t pos = 0;
  while (pos < head.size()) {
    const std::size_t end = head.find("\r\n", pos);
    const std::string_view line = head.substr(pos, end - pos);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos && iothub::detail::iequals_ascii(line.substr(0, colon), name)) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      return value;
    }
    if (end == std::string_view::npos) break;
    pos = end + 2;
  }
  return {};
}

// The server's side of an upgrade, as the hub's router does it: read the request head through
// the stream (TLS already on, framing not yet), then let the stream answer 101.
asio::awaitable<error_code> accept_websocket(Stream& stream) {
  std::string head;
  char buffer[300];  // small, so that the head arrives in several reads
  std::size_t end = 0;
  while ((end = ws::head_end(head)) == 0) {
    auto [ec] = co_await stream.async_wait(Stream::wait_read, token);
    if (ec) co_return ec;
    error_code read_ec;
    const std::size_t n = stream.read_some(asio::buffer(buffer), read_ec);
    if (would_block(read_ec)) continue;
    if (read_ec) co_return read_ec;
    head.append(buffer, n);
  }
  const std::string_view request = std::string_view(head).substr(0, end);
  EXPECT_TRUE(request.starts_with("GET /$iothub/websocket HTTP/1.1\r\n")) << request;
  const std::string_view key = header_value(request, "Sec-WebSocket-Key");
  EXPECT_TRUE(ws::is_upgrade_request("GET", header_value(request, "Upgrade"),
                                     header_value(request, "Connection"),
                                     header_value(request, "Sec-WebSocket-Version"), key));
  const auto subprotocol =
      ws::pick_subprotocol(header_value(request, "Sec-WebSocket-Protocol"), kMqttSubprotocol);
  EXPECT_TRUE(subprotocol.has_value());
  const std::string leftover = head.substr(end);
  co_return co_await stream.async_ws_server_accept(
      key, subprotocol.value_or(""),
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(leftover.data()), leftover.size()));
}

asio::awaitable<error_code> server_handshakes(Stream& stream, Transport transport,
                                              const tls::TlsContext& context) {
  stream.socket().set_option(tcp::no_delay(true));
  stream.socket().non_blocking(true);
  if (uses_tls(transport)) {
    const error_code ec = co_await stream.async_tls_server_handshake(context);
    if (ec) co_return ec;
  }
  if (uses_websocket(transport)) co_return co_await accept_websocket(stream);
  co_return error_code{};
}

asio::awaitable<error_code> client_handshakes(Stream& stream, Transport transport,
                                              const tls::TlsContext& context, const tcp::endpoint& to) {
  error_code ec = co_await connect(stream, to);
  if (ec) co_return ec;
  if (uses_tls(transport)) {
    ec = co_await stream.async_tls_client_handshake(context, "localhost");
    if (ec) co_return ec;
  }
  if (uses_websocket(transport)) co_return co_await stream.async_ws_client_handshake("localhost");
  co_return error_code{};
}

// ---- echo over every transport ----

struct EchoCase {
  Transport transport;
  std::size_t size;
  std::size_t piece;
};

class StreamEcho : public Streams, public ::testing::WithParamInterface<EchoCase> {};

TEST_P(StreamEcho, EchoesEveryByteAndEndsCleanly) {
  const EchoCase c = GetParam();
  const tls::TlsContext server_tls = server_context();
  const tls::TlsContext client_tls = client_context();
  const Bytes payload = pattern(c.size);
  Bytes echoed;
  error_code server_end;
  run(
      [&](Stream& stream) -> asio::awaitable<void> {
        const error_code ec = co_await server_handshakes(stream, c.transport, server_tls);
        EXPECT_FALSE(ec) << ec.message() << " " << stream.tls_failure_reason();
        if (ec) co_return;
        EXPECT_EQ(stream.tls(), uses_tls(c.transport));
        EXPECT_EQ(stream.websocket(), uses_websocket(c.transport));
        server_end = co_await echo(stream);
      },
      [&]() -> asio::awaitable<void> {
        Stream stream(io_);
        const error_code ec = co_await client_handshakes(stream, c.transport, client_tls, endpoint());
        EXPECT_FALSE(ec) << ec.message() << " " << stream.tls_failure_reason() << stream.ws_failure_reason();
        if (ec) co_return;
        // Reading runs beside writing: the echo comes back while the payload still goes out.
        bool read_done = false;
        error_code read_ec;
        asio::co_spawn(
            io_,
            [&]() -> asio::awaitable<void> {
              read_ec = co_await read_total(stream, echoed, payload.size());
              read_done = true;
            },
            asio::detached);
        const error_code write_ec = co_await write_in_pieces(stream, payload, c.piece);
        EXPECT_FALSE(write_ec) << write_ec.message();
        asio::steady_timer poll(io_);
        while (!read_done) {
          poll.expires_after(std::chrono::milliseconds(1));
          co_await poll.async_wait(token);
        }
        EXPECT_FALSE(read_ec) << read_ec.message();
        error_code ignored;
        stream.close(ignored);
      });
  ASSERT_EQ(echoed.size(), payload.size());
  EXPECT_TRUE(echoed == payload);
  // close() sent close_notify / a close frame: the server saw a clean end of stream.
  EXPECT_EQ(server_end, asio::error::eof) << server_end.message();
}

INSTANTIATE_TEST_SUITE_P(Transports, StreamEcho,
                         ::testing::Values(EchoCase{Transport::mqtt, 300'000, 10'000},
                                           EchoCase{Transport::mqtt_tls, 300'000, 10'000},
                                           EchoCase{Transport::mqtt_ws, 300'000, 10'000},
                                           EchoCase{Transport::mqtt_wss, 300'000, 10'000},
                                           EchoCase{Transport::mqtt_ws, 300'000, 100'000},
                                           EchoCase{Transport::mqtt_wss, 300'000, 70'000},
                                           EchoCase{Transport::mqtt_ws, 3'000, 1},
                                           EchoCase{Transport::mqtt_wss, 3'000, 1}),
                         [](const ::testing::TestParamInfo<EchoCase>& info) {
                           std::string name(to_string(info.param.transport));
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name + "_" + std::to_string(info.param.size) + "_in_" +
                                  std::to_string(info.param.piece);
                         });

// ---- TLS verification ----

TEST_F(Streams, ServerFromAnotherCaIsRejectedWithTheReason) {
  const tls::TlsContext server_tls = server_context();
  const tls::TlsContext client_tls =
      tls::TlsContext::client({.ca_file = material_->other_ca_file, .use_system_store = false});
  error_code client_ec;
  std::string reason;
  run(
      [&](Stream& stream) -> asio::awaitable<void> {
        stream.socket().non_blocking(true);
        const error_code ec = co_await stream.async_tls_server_handshake(server_tls);
        EXPECT_TRUE(ec);  // the client aborted with an alert
      },
      [&]() -> asio::awaitable<void> {
        Stream stream(io_);
        EXPECT_FALSE(co_await connect(stream, endpoint()));
        client_ec = co_await stream.async_tls_client_handshake(client_tls, "localhost");
        reason = stream.tls_failure_reason();
        error_code ignored;
        stream.close(ignored);
        EXPECT_EQ(stream.tls_failure_reason(), reason);  // kept for the report after close()
      });
  EXPECT_EQ(client_ec, make_error_code(StreamError::tls_certificate_rejected)) << client_ec.message();
  EXPECT_NE(reason.find("certificate verify failed"), std::string::npos) << reason;
  EXPECT_NE(reason.find("issuer"), std::string::npos) << reason;
}

TEST_F(Streams, VerificationOffAcceptsAnyServer) {
  const tls::TlsContext server_tls = server_context();
  const tls::TlsContext client_tls = tls::TlsContext::client(
      {.ca_file = material_->other_ca_file, .use_system_store = false, .verify = false});
  EXPECT_FALSE(client_tls.verifies_peer());
  Bytes echoed;
  run(
      [&](Stream& stream) -> asio::awaitable<void> {
        stream.socket().non_blocking(true);
        EXPECT_FALSE(co_await stream.async_tls_server_handshake(server_tls));
        co_await echo(stream);
      },
      [&]() -> asio::awaitable<void> {
        Stream stream(io_);
        EXPECT_FALSE(co_await connect(stream, endpoint()));
        const error_code ec = co_await stream.async_tls_client_handshake(client_tls, "wrong.example");
        EXPECT_FALSE(ec) << ec.message() << " " << stream.tls_failure_reason();
        const Bytes hello = pattern(5);
        EXPECT_FALSE(co_await write_in_pieces(stream, hello, 5));
        EXPECT_FALSE(co_await read_total(stream, echoed, 5));
        error_code ignored;
        stream.close(ignored);
      });
  EXPECT_EQ(echoed, pattern(5));
}

TEST_F(Streams, ServerNameIsCheckedAgainstNamesAndAddresses) {
  const tls::TlsContext server_tls = server_context();
  const tls::TlsContext client_tls = client_context();
  for (const std::string name : {"localhost", "127.0.0.1", "elsewhere.example", "10.1.2.3"}) {
    const bool good = name == "localhost" || name == "127.0.0.1";
    error_code client_ec;
    std::string reason;
    run(
        [&](Stream& stream) -> asio::awaitable<void> {
          stream.socket().non_blocking(true);
          const error_code ec = co_await stream.async_tls_server_handshake(server_tls);
          EXPECT_EQ(!ec, good) << name;
        },
        [&]() -> asio::awaitable<void> {
          Stream stream(io_);
          EXPECT_FALSE(co_await connect(stream, endpoint()));
          client_ec = co_await stream.async_tls_client_handshake(client_tls, name);
          reason = stream.tls_failure_reason();
          error_code ignored;
          stream.close(ignored);
        });
    if (good) {
      EXPECT_FALSE(client_ec) << name << ": " << client_ec.message() << " " << reason;
    } else {
      EXPECT_EQ(client_ec, make_error_code(StreamError::tls_certificate_rejected)) << name;
      EXPECT_NE(reason.find("mismatch"), std::string::npos) << name << ": " << reason;
    }
  }
}

// ---- session resumption ----

class StreamResumption : public Streams, public ::testing::WithParamInterface<int> {};

TEST_P(StreamResumption, SecondConnectionResumesTheFirstSession) {
  const tls::TlsContext server_tls = server_context();
  const tls::TlsContext client_tls = client_context();
  SSL_CTX_set_max_proto_version(client_tls.native(), GetParam());
  TlsSessionPtr session;
  for (int round = 0; round < 2; ++round) {
    bool resumed = false;
    bool server_resumed = false;
    run(
        [&](Stream& stream) -> asio::awaitable<void> {
          stream.socket().non_blocking(true);
          EXPECT_FALSE(co_await stream.async_tls_server_handshake(server_tls));
          server_resumed = stream.tls_resumed();
          co_await echo(stream);
        },
        [&]() -> asio::awaitable<void> {
          Stream stream(io_);
          EXPECT_FALSE(co_await connect(stream, endpoint()));
          const error_code ec =
              co_await stream.async_tls_client_handshake(client_tls, "localhost", session.get());
          EXPECT_FALSE(ec) << ec.message() << " " << stream.tls_failure_reason();
          resumed = stream.tls_resumed();
          // One round trip: a TLS 1.3 ticket arrives after the handshake, before the echo.
          const Bytes ping = pattern(3);
          EXPECT_FALSE(co_await write_in_pieces(stream, ping, 3));
          Bytes answer(3);
          auto [read_ec, n] = co_await asio::async_read(stream, asio::buffer(answer), token);
          EXPECT_FALSE(read_ec);
          EXPECT_EQ(answer, ping);
          session.reset(stream.tls_session());
          // No close(): the stream ends without close_notify, as a dropped connection does,
          // and its session must stay resumable.
        });
    ASSERT_NE(session, nullptr) << "round " << round;
    EXPECT_EQ(resumed, round == 1) << "round " << round;
    EXPECT_EQ(server_resumed, round == 1) << "round " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, StreamResumption, ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return info.param == TLS1_2_VERSION ? std::string("tls1_2")
                                                               : std::string("tls1_3");
                         });

// ---- client certificates ----

TEST_F(Streams, ClientCertificatesAsTheHubSeesThem) {
  const tls::TlsContext server_tls = server_context();
  const tls::TlsContext client_tls = client_context();
  struct Case {
    const char* name;
    const tls::Der* der;
    std::string common_name;
    bool chain_verified;
    bool within_validity;
  };
  const Case cases[] = {
      {"CA-signed", &material_->client_leaf, "dev1", true, true},
      {"self-signed", &material_->self_signed, "dev2", false, true},
      {"expired", &material_->expired_leaf, "dev3", true, false},
      {"none", nullptr, "", false, false},
  };
  for (const Case& c : cases) {
    PeerCertificate seen;
    run(
        [&](Stream& stream) -> asio::awaitable<void> {
          stream.socket().non_blocking(true);
          const error_code ec = co_await stream.async_tls_server_handshake(server_tls);
          EXPECT_FALSE(ec) << c.name << ": " << ec.message() << " " << stream.tls_failure_reason();
          seen = stream.peer_certificate();
          co_await echo(stream);
        },
        [&]() -> asio::awaitable<void> {
          Stream stream(io_);
          EXPECT_FALSE(co_await connect(stream, endpoint()));
          ClientCertificate identity;
          if (c.der != nullptr) identity = {c.der->certificate, c.der->private_key};
          const error_code ec = co_await stream.async_tls_client_handshake(client_tls, "localhost", nullptr,
                                                                           c.der ? &identity : nullptr);
          EXPECT_FALSE(ec) << c.name << ": " << ec.message() << " " << stream.tls_failure_reason();
          // The client sees the hub's certificate.
          EXPECT_EQ(stream.peer_certificate().common_name, "localhost");
          EXPECT_TRUE(stream.peer_certificate().chain_verified);
          error_code ignored;
          stream.close(ignored);
        });
    EXPECT_EQ(seen.present, c.der != nullptr) << c.name;
    EXPECT_EQ(seen.common_name, c.common_name) << c.name;
    EXPECT_EQ(seen.chain_verified, c.chain_verified) << c.name;
    EXPECT_EQ(seen.within_validity, c.within_validity) << c.name;
    if (c.der != nullptr) {
      EXPECT_EQ(seen.sha1_thumbprint, tls::sha1_thumbprint(c.der->certificate)) << c.name;
      EXPECT_EQ(seen.sha256_thumbprint, tls::sha256_thumbprint(c.der->certificate)) << c.name;
    }
  }
}

// ---- WebSocket upgrades and control frames against scripted servers ----

// Reads a request head from a raw socket.
asio::awaitable<std::string> read_head(tcp::socket& socket) {
  std::string head;
  char buffer[512];
  while (ws::head_end(head) == 0) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(buffer), token);
    if (ec) co_return std::string();
    head.append(buffer, n);
  }
  co_return head;
}

TEST_F(Streams, RefusedUpgradeCarriesTheHttpStatus) {
  const std::string answers[] = {
      "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
      "",  // 101 without the subprotocol, built from the request's key
  };
  for (const std::string& scripted : answers) {
    error_code client_ec;
    std::uint16_t status = 0;
    std::string reason;
    run(
        [&](Stream& stream) -> asio::awaitable<void> {
          const std::string head = co_await read_head(stream.socket());
          std::string answer = scripted;
          if (answer.empty()) {
            answer = ws::server_upgrade_response(header_value(head, "Sec-WebSocket-Key"), "");
          }
          co_await asio::async_write(stream.socket(), asio::buffer(answer), token);
        },
        [&]() -> asio::awaitable<void> {
          Stream stream(io_);
          EXPECT_FALSE(co_await connect(stream, endpoint()));
          client_ec = co_await stream.async_ws_client_handshake("localhost");
          status = stream.ws_handshake_status();
          reason = stream.ws_failure_reason();
          EXPECT_FALSE(stream.websocket());
        });
    EXPECT_EQ(client_ec, make_error_code(StreamError::ws_handshake_refused)) << client_ec.message();
    if (scripted.empty()) {
      EXPECT_EQ(status, 101);
      EXPECT_NE(reason.find("subprotocol"), std::string::npos) << reason;
    } else {
      EXPECT_EQ(status, 404);
      EXPECT_NE(reason.find("HTTP 404"), std::string::npos) << reason;
    }
  }
}

TEST_F(Streams, WebSocketClientAnswersPingAndClose) {
  Bytes received;
  error_code client_end;
  Bytes pong_and_close;
  run(
      [&](Stream& stream) -> asio::awaitable<void> {
        tcp::socket& socket = stream.socket();
        const std::string head = co_await read_head(socket);
        const std::string answer =
            ws::server_upgrade_response(header_value(head, "Sec-WebSocket-Key"), "mqtt");
        ws::Framing framing(ws::Role::server, 1);
        Bytes frames(answer.begin(), answer.end());
        std::uint8_t header[ws::kMaxHeaderSize];
        const std::string hi = "hi";
        frames.insert(frames.end(), header,
                      header + ws::encode_header(header, ws::Opcode::binary, true, 2, nullptr));
        frames.insert(frames.end(), hi.begin(), hi.end());
        const std::string beat = "beat";
        frames.insert(frames.end(), header,
                      header + ws::encode_header(header, ws::Opcode::ping, true, 4, nullptr));
        frames.insert(frames.end(), beat.begin(), beat.end());
        co_await asio::async_write(socket, asio::buffer(frames), token);
        Bytes pong(10);  // 2 + mask + "beat"
        co_await asio::async_read(socket, asio::buffer(pong), token);
        const std::uint8_t close_frame[] = {0x88, 0x02, 0x03, 0xE9};  // close, 1001 going away
        co_await asio::async_write(socket, asio::buffer(close_frame), token);
        Bytes close_reply(8);  // 2 + mask + status
        co_await asio::async_read(socket, asio::buffer(close_reply), token);
        pong_and_close = pong;
        pong_and_close.insert(pong_and_close.end(), close_reply.begin(), close_reply.end());
      },
      [&]() -> asio::awaitable<void> {
        Stream stream(io_);
        EXPECT_FALSE(co_await connect(stream, endpoint()));
        const error_code ec = co_await stream.async_ws_client_handshake("localhost");
        EXPECT_FALSE(ec) << ec.message() << " " << stream.ws_failure_reason();
        // The data came with the 101 answer; then only control frames, then the end.
        client_end = co_await read_total(stream, received, 1'000'000);
        error_code write_ec;
        const std::uint8_t byte = 1;
        stream.write_some(asio::buffer(&byte, 1), write_ec);
        EXPECT_EQ(write_ec, make_error_code(StreamError::ws_closed));
        error_code ignored;
        stream.close(ignored);
      });
  EXPECT_EQ(std::string(received.begin(), received.end()), "hi");
  EXPECT_EQ(client_end, asio::error::eof) << client_end.message();
  ASSERT_EQ(pong_and_close.size(), 18u);
  EXPECT_EQ(pong_and_close[0], 0x8A);
  EXPECT_EQ(pong_and_close[1], 0x80 | 4);  // masked, as a client must
  Bytes beat(4);
  ws::mask_copy(beat.data(), pong_and_close.data() + 6, 4, pong_and_close.data() + 2, 0);
  EXPECT_EQ(std::string(beat.begin(), beat.end()), "beat");
  EXPECT_EQ(pong_and_close[10], 0x88);
  Bytes status(2);
  ws::mask_copy(status.data(), pong_and_close.data() + 16, 2, pong_and_close.data() + 12, 0);
  EXPECT_EQ(status, (Bytes{0x03, 0xE9}));
}

TEST_F(Streams, WebSocketServerReadsAClientWritingOneByteAtATime) {
  // A raw client: the upgrade request and then masked frames (including a ping and a
  // fragmented message) leave one byte per write, so the server meets every cut.
  const Bytes payload = pattern(1500);
  Bytes wire;
  ws::Framing client_framing(ws::Role::client, 77);
  Bytes chunk(16 * 1024);
  for (std::size_t at = 0; at < payload.size(); at += 500) {
    const std::span<const std::uint8_t> part(payload.data() + at, 500);
    std::size_t done = 0;
    while (done < part.size()) {
      const std::size_t n = client_framing.prepare(part.subspan(done), chunk);
      wire.insert(wire.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
      done += client_framing.commit(n);
    }
  }
  const std::uint8_t key[4] = {5, 6, 7, 8};
  std::uint8_t header[ws::kMaxHeaderSize];
  wire.insert(wire.end(), header, header + ws::encode_header(header, ws::Opcode::ping, true, 0, key));

  Bytes echoed;
  error_code server_end;
  run(
      [&](Stream& stream) -> asio::awaitable<void> {
        EXPECT_FALSE(co_await server_handshakes(stream, Transport::mqtt_ws, server_context()));
        server_end = co_await echo(stream);
      },
      [&]() -> asio::awaitable<void> {
        tcp::socket socket(io_);
        co_await socket.async_connect(endpoint(), token);
        socket.set_option(tcp::no_delay(true));
        const std::string nonce = "dGhlIHNhbXBsZSBub25jZQ==";
        const std::string request =
            ws::client_upgrade_request("localhost", kIotHubWebSocketPath, "mqtt", nonce);
        Bytes all(request.begin(), request.end());
        all.insert(all.end(), wire.begin(), wire.end());
        for (std::uint8_t byte : all) {
          auto [ec, n] = co_await asio::async_write(socket, asio::buffer(&byte, 1), token);
          if (ec) co_return;
        }
        // Read the 101 answer and the echo (unmasked frames, then the pong).
        Bytes in;
        ws::Framing reader(ws::Role::client, 1);
        std::size_t head = 0;
        Bytes buffer(4096);
        while (echoed.size() < payload.size()) {
          auto [ec, n] = co_await socket.async_read_some(asio::buffer(buffer), token);
          if (ec) break;
          Bytes fresh(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
          if (head == 0) {
            in.insert(in.end(), fresh.begin(), fresh.end());
            head = ws::head_end(std::string_view(reinterpret_cast<const char*>(in.data()), in.size()));
            if (head == 0) continue;
            EXPECT_EQ(ws::check_upgrade_response(
                          std::string_view(reinterpret_cast<const char*>(in.data()), head), nonce, "mqtt")
                          .refusal,
                      ws::Refusal::none);
            fresh.assign(in.begin() + static_cast<std::ptrdiff_t>(head), in.end());
          }
          const ws::DecodeResult r = reader.decode(fresh);
          EXPECT_EQ(r.violation, ws::Violation::none);
          echoed.insert(echoed.end(), fresh.begin(), fresh.begin() + static_cast<std::ptrdiff_t>(r.payload));
        }
        socket.close();
      });
  EXPECT_TRUE(echoed == payload) << echoed.size();
}

}  // namespace
}  // namespace fleetsim::transports
