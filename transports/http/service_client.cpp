// The service client's exchange: connect (resolve, TCP, TLS), write the request, parse the
// response with Beast's sans-I/O parser as bytes arrive, all raced against one timer.
#include "transports/http/service_client.hpp"

#include <charconv>
#include <span>
#include <tuple>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "transports/iothub/sas.hpp"
#include "transports/stream/stream.hpp"

namespace fleetsim::transports::http {
namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

constexpr std::string_view kUserAgent = "fleetsim/0.1.0";
constexpr std::size_t kReadChunk = 16 * 1024;
// Registry listings and query pages stay far below this; a bigger answer is not IoT Hub's.
constexpr std::uint64_t kMaxBody = 64 * 1024 * 1024;

std::span<const std::uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

std::string where(const ServiceEndpoint& endpoint) {
  return endpoint.address + ":" + std::to_string(endpoint.port);
}

bool has_body_semantics(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

std::chrono::milliseconds parse_retry_after(std::string_view value) {
  unsigned seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  // An HTTP-date form is possible in general; IoT Hub sends seconds, anything else reads as absent.
  if (ec != std::errc{} || end != value.data() + value.size()) return std::chrono::milliseconds(0);
  return std::chrono::seconds(seconds);
}

// A connection that ended before any byte of the answer: the server closed a kept-alive
// connection while it idled (its keep-alive timeout), so the request never reached it.
bool closed_before_answer(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted || ec == StreamError::tls_failed;
}

}  // namespace

struct ServiceClient::Connection {
  explicit Connection(asio::io_context& io) : stream(io) {}
  Stream stream;
  std::string input;  // received bytes not yet given to a parser
  bool open = false;
  TlsSessionPtr resume;  // the last connection's TLS session, offered on the next handshake
};

ServiceClient::ServiceClient(asio::io_context& io, ServiceEndpoint endpoint, const tls::TlsContext* tls)
    : io_(io), endpoint_(std::move(endpoint)), tls_(tls) {}

ServiceClient::~ServiceClient() {
  close();
}

void ServiceClient::close() noexcept {
  if (!connection_ || !connection_->open) return;
  Connection& c = *connection_;
  if (c.stream.tls()) {
    if (SSL_SESSION* session = c.stream.tls_session()) c.resume.reset(session);
  }
  error_code ignored;
  c.stream.close(ignored);
  c.input.clear();
  c.open = false;
}

asio::awaitable<error_code> ServiceClient::send(const Request& request, Response& out,
                                                std::chrono::milliseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  out = Response{};
  last_error_.clear();
  if (!renew_token()) co_return make_error_code(boost::system::errc::invalid_argument);
  const std::string wire = serialize(request);

  asio::steady_timer timer(io_, timeout);
  auto outcome = co_await (exchange(wire, out) || timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (outcome.index() == 1) {
    // The exchange was cancelled mid-way: its connection is in an unknown state.
    close();
    last_error_ =
        "no complete answer from " + where(endpoint_) + " within " + std::to_string(timeout.count()) + " ms";
    co_return make_error_code(asio::error::timed_out);
  }
  co_return std::get<0>(outcome);
}

bool ServiceClient::renew_token() {
  const auto now = std::chrono::steady_clock::now();
  if (!token_.empty() && now < token_renew_at_) return true;
  const auto unix_now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  const auto expiry = static_cast<std::uint64_t>((unix_now + endpoint_.token_ttl).count());
  auto token =
      iothub::make_sas_token(endpoint_.host_name, endpoint_.policy_key, expiry, endpoint_.policy_name);
  if (!token) {
    last_error_ = "the SharedAccessKey of policy '" + endpoint_.policy_name + "' is not valid base64";
    return false;
  }
  token_ = std::move(*token);
  // Renewed with a quarter of its life left, so a request never carries a token about to expire.
  token_renew_at_ = now + endpoint_.token_ttl - endpoint_.token_ttl / 4;
  return true;
}

std::string ServiceClient::serialize(const Request& request) const {
  std::string wire;
  wire.reserve(512 + request.body.size());
  wire += request.method;
  wire += ' ';
  wire += request.target;
  if (request.target.find("api-version=") == std::string::npos) {
    wire += request.target.find('?') == std::string::npos ? '?' : '&';
    wire += "api-version=";
    wire += kApiVersion;
  }
  wire += " HTTP/1.1\r\nHost: ";
  wire += endpoint_.host_name;
  if (endpoint_.port != (endpoint_.tls ? 443 : 80)) {
    wire += ':';
    wire += std::to_string(endpoint_.port);
  }
  wire += "\r\nAuthorization: ";
  wire += token_;
  wire += "\r\nUser-Agent: ";
  wire += kUserAgent;
  wire += "\r\n";
  if (!request.body.empty()) wire += "Content-Type: application/json; charset=utf-8\r\n";
  if (!request.body.empty() || has_body_semantics(request.method)) {
    wire += "Content-Length: ";
    wire += std::to_string(request.body.size());
    wire += "\r\n";
  }
  if (!request.if_match.empty()) {
    wire += "If-Match: ";
    wire += request.if_match;
    wire += "\r\n";
  }
  for (const Header& header : request.headers) {
    wire += header.name;
    wire += ": ";
    wire += header.value;
    wire += "\r\n";
  }
  wire += "\r\n";
  wire += request.body;
  return wire;
}

asio::awaitable<error_code> ServiceClient::exchange(const std::string& wire, Response& out) {
  for (bool first_try = true;; first_try = false) {
    const bool reused = connection_ && connection_->open;
    if (!reused) {
      if (const error_code ec = co_await open_connection(); ec) co_return ec;
    }
    error_code ec = co_await connection_->stream.async_write_all(as_bytes(wire));
    bool answered = false;
    if (!ec) ec = co_await read_response(out, answered);
    if (!ec) co_return ec;
    close();
    if (reused && first_try && !answered && closed_before_answer(ec)) continue;
    if (last_error_.empty()) {
      last_error_ =
          (answered ? "the connection to " : "no answer from ") + where(endpoint_) + ": " + ec.message();
    }
    co_return ec;
  }
}

asio::awaitable<error_code> ServiceClient::open_connection() {
  const auto token = asio::as_tuple(asio::use_awaitable);
  if (!connection_) connection_ = std::make_unique<Connection>(io_);
  Connection& c = *connection_;
  c.input.clear();
  if (endpoint_.tls && tls_ == nullptr) {
    last_error_ = "HTTPS to " + where(endpoint_) + " needs a TLS client context";
    co_return make_error_code(boost::system::errc::invalid_argument);
  }

  std::vector<tcp::endpoint> endpoints;
  error_code ec;
  const asio::ip::address literal = asio::ip::make_address(endpoint_.address, ec);
  if (!ec) {
    endpoints.emplace_back(literal, endpoint_.port);
  } else {
    // getaddrinfo cannot be interrupted: a timeout that fires meanwhile takes effect once it returns.
    tcp::resolver resolver(io_);
    auto [resolve_ec, results] =
        co_await resolver.async_resolve(endpoint_.address, std::to_string(endpoint_.port), token);
    if (resolve_ec) {
      last_error_ = "resolving " + endpoint_.address + " failed: " + resolve_ec.message();
      co_return resolve_ec;
    }
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  }

  error_code connect_ec = asio::error::host_not_found;
  for (const tcp::endpoint& target : endpoints) {
    std::tie(connect_ec) = co_await c.stream.async_connect(target, token);
    if (!connect_ec) break;
    error_code ignored;
    c.stream.close(ignored);  // a socket whose connect failed is not reused for the next address
    if (connect_ec == asio::error::operation_aborted) break;
  }
  if (connect_ec) {
    last_error_ = "connect to " + where(endpoint_) + " failed: " + connect_ec.message();
    co_return connect_ec;
  }
  ++connections_opened_;
  c.stream.socket().set_option(tcp::no_delay(true), ec);

  if (endpoint_.tls) {
    ec = co_await c.stream.async_tls_client_handshake(*tls_, endpoint_.host_name, c.resume.get());
    if (ec) {
      std::string reason = c.stream.tls_failure_reason();
      if (reason.empty()) reason = ec.message();
      last_error_ =
          "TLS handshake with " + endpoint_.host_name + " at " + where(endpoint_) + " failed: " + reason;
      error_code ignored;
      c.stream.close(ignored);
      co_return ec;
    }
  } else {
    // The handshakes switch the socket to non-blocking themselves; Stream's I/O expects it.
    c.stream.socket().non_blocking(true, ec);
    if (ec) {
      last_error_ = "socket setup failed: " + ec.message();
      co_return ec;
    }
  }
  c.open = true;
  co_return error_code{};
}

asio::awaitable<error_code> ServiceClient::read_response(Response& out, bool& answered) {
  Connection& c = *connection_;
  beast_http::response_parser<beast_http::string_body> parser;
  parser.body_limit(kMaxBody);
  parser.eager(true);
  for (;;) {
    if (!c.input.empty()) {
      answered = true;
      error_code ec;
      const std::size_t used = parser.put(asio::buffer(c.input), ec);
      c.input.erase(0, used);
      if (parser.is_done()) break;
      if (ec && ec != beast_http::error::need_more) {
        last_error_ = "malformed HTTP response from " + where(endpoint_) + ": " + ec.message();
        co_return ec;
      }
      if (used > 0 && !c.input.empty()) continue;  // the parser may take more of what is here
    }
    const std::size_t held = c.input.size();
    c.input.resize(held + kReadChunk);
    auto [ec, n] = co_await c.stream.async_read_some(asio::buffer(c.input.data() + held, kReadChunk),
                                                     asio::as_tuple(asio::use_awaitable));
    c.input.resize(held + n);
    if (!ec) continue;
    if (ec == asio::error::eof && parser.got_some()) {
      // A body delimited by the end of the connection (no Content-Length, not chunked).
      error_code eof_ec;
      parser.put_eof(eof_ec);
      if (parser.is_done()) break;
      last_error_ = "the connection to " + where(endpoint_) + " closed in the middle of a response";
    }
    co_return ec;
  }

  auto& message = parser.get();
  out.status = message.result_int();
  if (const auto it = message.find("ETag"); it != message.end()) out.etag = it->value();
  if (const auto it = message.find("x-ms-continuation"); it != message.end()) out.continuation = it->value();
  if (const auto it = message.find("iothub-errorcode"); it != message.end()) out.error_code = it->value();
  if (const auto it = message.find("Retry-After"); it != message.end()) {
    out.retry_after = parse_retry_after(it->value());
  }
  const bool keep_alive = message.keep_alive();
  out.body = std::move(message.body());
  if (!keep_alive) close();
  co_return error_code{};
}

}  // namespace fleetsim::transports::http
