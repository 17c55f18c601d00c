// An HTTP/1.1 client for the IoT Hub service REST API (reference/iothub-protocol.md section 3):
// one kept-alive connection (HTTPS over transports::Stream, or plain HTTP for a hub's http
// listener), requests written by hand and responses read with Beast's sans-I/O parser, every
// request signed with a SAS token of a shared access policy (scope = the hub's HostName),
// renewed before it expires.
//
// One request at a time per client (no pipelining): callers that need concurrency (the backend
// actor, bulk provisioning) keep several clients. A request on a connection the server has
// closed meanwhile is retried once on a fresh connection when nothing of its answer arrived.
//
// Thread safety: none; a client belongs to the thread running its io_context.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>

namespace fleetsim::tls {
class TlsContext;
}

namespace fleetsim::transports::http {

// The api-version the current service SDKs send (reference 3.1).
inline constexpr std::string_view kApiVersion = "2021-04-12";

// Where the service API is and how to sign for it.
struct ServiceEndpoint {
  std::string host_name = "localhost";  // HostName: Host header, TLS server name, SAS scope
  std::string address = "127.0.0.1";    // where to connect (an IP, or a name resolved at connect)
  std::uint16_t port = 443;
  bool tls = true;          // false: plain HTTP (a hub's --http-port)
  std::string policy_name;  // SharedAccessKeyName, e.g. "iothubowner"
  std::string policy_key;   // SharedAccessKey, base64
  std::chrono::seconds token_ttl{3600};
};

struct Header {
  std::string name;
  std::string value;
};

struct Request {
  std::string method = "GET";  // "GET", "PUT", "PATCH", "POST", "DELETE"
  // Path and query, ids percent-encoded by the caller; "?api-version=..." is appended when the
  // target has no api-version of its own.
  std::string target;
  std::string body;             // sent with Content-Type: application/json when not empty
  std::string if_match;         // sent as If-Match when not empty (quoted etag or "*")
  std::vector<Header> headers;  // any others: x-ms-max-item-count, x-ms-continuation, iothub-app-*, ...
};

struct Response {
  unsigned status = 0;
  std::string body;
  std::string etag;                          // ETag
  std::string continuation;                  // x-ms-continuation (queries: empty on the last page)
  std::string error_code;                    // iothub-errorcode, on refusals
  std::chrono::milliseconds retry_after{0};  // Retry-After on 429/503, 0 when absent
};

class ServiceClient {
 public:
  // `tls` (a client context) is required when endpoint.tls and must outlive the client.
  ServiceClient(boost::asio::io_context& io, ServiceEndpoint endpoint, const tls::TlsContext* tls);
  ~ServiceClient();
  ServiceClient(const ServiceClient&) = delete;
  ServiceClient& operator=(const ServiceClient&) = delete;

  // Sends `request` and reads the whole response into `out`, connecting (TCP, TLS) first when
  // there is no open connection. An error (refused connect, TLS failure, timeout, connection lost,
  // malformed response) comes back as an error_code, with last_error() saying it in words; an
  // HTTP status of any value is a success at this level. `timeout` bounds the whole exchange,
  // connect included; on timeout the connection is closed.
  boost::asio::awaitable<boost::system::error_code> send(const Request& request, Response& out,
                                                         std::chrono::milliseconds timeout);

  // "connect to 127.0.0.1:443 failed: Connection refused", "TLS handshake failed: ...", ...
  const std::string& last_error() const noexcept { return last_error_; }
  const ServiceEndpoint& endpoint() const noexcept { return endpoint_; }
  // Closes the connection (a later send() opens a new one).
  void close() noexcept;
  // TCP connections opened so far (keep-alive keeps this at one while the server does).
  std::uint64_t connections_opened() const noexcept { return connections_opened_; }

 private:
  struct Connection;
  bool renew_token();  // false (last_error_ set) when the policy key is not base64
  std::string serialize(const Request& request) const;
  // Write and read on the kept connection (opened first when there is none), retried once on a
  // fresh connection when a kept one turns out closed before any byte of the answer.
  boost::asio::awaitable<boost::system::error_code> exchange(const std::string& wire, Response& out);
  boost::asio::awaitable<boost::system::error_code> open_connection();
  // `answered`: whether any byte of the response arrived.
  boost::asio::awaitable<boost::system::error_code> read_response(Response& out, bool& answered);

  boost::asio::io_context& io_;
  ServiceEndpoint endpoint_;
  const tls::TlsContext* tls_;
  std::unique_ptr<Connection> connection_;
  std::string token_;                                       // the current SAS token
  std::chrono::steady_clock::time_point token_renew_at_{};  // when to make a new one
  std::string last_error_;
  std::uint64_t connections_opened_ = 0;
};

// A service connection string ("HostName=...;SharedAccessKeyName=...;SharedAccessKey=...") as an
// endpoint on port 443 with TLS, connecting to HostName. Returns false with `error` set when a
// part is missing or the key is not base64.
bool parse_service_connection_string(std::string_view text, ServiceEndpoint& out, std::string& error);

// Percent-encodes an id for a path segment (reference 1.1, 3.1).
std::string encode_path_segment(std::string_view id);

}  // namespace fleetsim::transports::http
