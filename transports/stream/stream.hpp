// One stream for every transport: TCP, TLS over TCP, WebSocket over TCP and WebSocket over TLS,
// picked at connect (or accept) time, with the surface the MQTT client connection
// (transports/mqtt/client_connection.hpp) and the hub's session (hub/mqtt_session.hpp) need:
// async_wait(wait_read | wait_write), non-blocking read_some / write_some with an error_code,
// close(). A branch per I/O call instead of four template instantiations: it measures the same
// and keeps one copy of the session logic (STYLE practice 3).
//
// TLS runs OpenSSL directly on the non-blocking socket descriptor (no memory BIOs, no extra
// copy): SSL_ERROR_WANT_READ/WANT_WRITE become would_block. WebSocket framing is sans-I/O
// (transports/stream/websocket.hpp): received frames are unmasked and stripped in place in the
// caller's buffer; a write becomes one binary frame that may leave the socket in any number of
// pieces (a partially written frame is continued by the next write_some, which callers do anyway
// with their unwritten rest). Control frames: ping is answered with pong, close with close then
// end of stream.
//
// Readiness: async_wait(wait_read) completes at once (posted) when a layer above the socket
// already holds readable bytes (TLS records OpenSSL has decrypted, frame bytes that came with
// the upgrade's HTTP head, a received close), or when the last read filled the caller's buffer;
// otherwise it waits on the socket. The socket's own readiness is safe to wait for: Asio re-arms
// its edge-triggered epoll registration (EPOLL_CTL_MOD) whenever a wait is queued, so bytes
// left in the socket are reported; bytes held in a layer above it would not be.
//
// Writes: a TLS write or WebSocket frame that could not leave whole is continued by the next
// write_some, which must start with the bytes not yet written (the callers' "unwritten rest"):
// OpenSSL requires a retried write to carry the same bytes, and a frame's header announced them.
//
// Memory: an idle stream holds a socket, an SSL* (with released buffers) when TLS is on, and
// about 270 bytes of framing state when WebSocket is on; no buffers.
//
// Cancellation: close() ends every wait and handshake with operation_aborted; per-operation
// cancellation of a handshake's waits is honoured too (the stream must then be closed).
//
// Thread safety: none; a stream lives on one io_context thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/system/error_code.hpp>

typedef struct ssl_st SSL;
typedef struct ssl_session_st SSL_SESSION;

namespace fleetsim::tls {
class TlsContext;
}

namespace fleetsim::transports {

// `target.transport` of a scenario.
enum class Transport : std::uint8_t { mqtt, mqtt_tls, mqtt_ws, mqtt_wss };
std::optional<Transport> parse_transport(std::string_view name);  // "mqtt", "mqtt-tls", "mqtt-ws", "mqtt-wss"
std::string_view to_string(Transport transport) noexcept;
constexpr bool uses_tls(Transport t) noexcept {
  return t == Transport::mqtt_tls || t == Transport::mqtt_wss;
}
constexpr bool uses_websocket(Transport t) noexcept {
  return t == Transport::mqtt_ws || t == Transport::mqtt_wss;
}

inline constexpr std::string_view kIotHubWebSocketPath = "/$iothub/websocket";
inline constexpr std::string_view kMqttSubprotocol = "mqtt";

// Errors of the TLS and WebSocket layers (transport failures stay in the system category).
enum class StreamError {
  tls_handshake_failed = 1,  // peer alert or protocol failure; tls_failure_reason() says which
  tls_certificate_rejected,  // the server's certificate did not verify (wrong CA, name, dates)
  tls_failed,                // a TLS failure after the handshake
  ws_handshake_refused,      // the server did not answer 101 with the right accept key/subprotocol
  ws_protocol_error,         // bad frame: unmasked client frame, masked server frame, text frame, bad length
  ws_closed,                 // a write after a close frame was received or queued
  http_request_too_large,
};
const boost::system::error_category& stream_category() noexcept;
boost::system::error_code make_error_code(StreamError e) noexcept;

// What the hub needs to authenticate an X.509 identity (filled after a server handshake).
struct PeerCertificate {
  bool present = false;
  std::string common_name;
  std::string sha1_thumbprint;    // upper-case hex, 40 chars
  std::string sha256_thumbprint;  // upper-case hex, 64 chars
  bool chain_verified = false;    // signed by one of the server context's client CAs
  bool within_validity = false;   // not before <= now <= not after
};

// A client certificate and key for X.509 authentication, as DER (PKCS#8 key); parsed per handshake.
struct ClientCertificate {
  std::span<const std::uint8_t> certificate_der;
  std::span<const std::uint8_t> private_key_der;
};

// Owns one reference to a TLS session (Stream::tls_session), so callers need not link OpenSSL.
void release_tls_session(SSL_SESSION* session) noexcept;
struct TlsSessionFree {
  void operator()(SSL_SESSION* session) const noexcept { release_tls_session(session); }
};
using TlsSessionPtr = std::unique_ptr<SSL_SESSION, TlsSessionFree>;

class Stream {
 public:
  using tcp = boost::asio::ip::tcp;
  using wait_type = boost::asio::socket_base::wait_type;
  static constexpr wait_type wait_read = boost::asio::socket_base::wait_read;
  static constexpr wait_type wait_write = boost::asio::socket_base::wait_write;
  using executor_type = tcp::socket::executor_type;

  explicit Stream(boost::asio::io_context& io);
  explicit Stream(tcp::socket socket);  // accepted by a listener
  ~Stream();
  Stream(Stream&& other) noexcept;
  Stream& operator=(Stream&& other) noexcept;

  tcp::socket& socket() noexcept { return socket_; }
  executor_type get_executor() noexcept { return socket_.get_executor(); }
  // The socket's connect (it opens a closed socket); a stream is reused across reconnections.
  template <class Token>
  auto async_connect(const tcp::endpoint& endpoint, Token&& token) {
    return socket_.async_connect(endpoint, std::forward<Token>(token));
  }
  bool tls() const noexcept { return ssl_ != nullptr; }
  bool websocket() const noexcept { return ws_ != nullptr; }

  // ---- handshakes: coroutines, errors as values; the socket must be connected/accepted and
  // non-blocking (they set non_blocking(true) themselves). ----

  // TLS client handshake with SNI and host-name verification of `server_name` (an IP literal
  // is checked against IP SANs). `resume`: a session saved from an earlier connection, offered
  // for resumption. `identity`: an X.509 client certificate.
  boost::asio::awaitable<boost::system::error_code> async_tls_client_handshake(
      const tls::TlsContext& context, std::string_view server_name, SSL_SESSION* resume = nullptr,
      const ClientCertificate* identity = nullptr);
  boost::asio::awaitable<boost::system::error_code> async_tls_server_handshake(
      const tls::TlsContext& context);
  // After a client handshake: the session to resume next time (caller owns one reference: hold
  // it in a TlsSessionPtr), or nullptr. With TLS 1.3 the server's ticket arrives after the
  // handshake, so ask once something has been read (at disconnect, say). tls_resumed: whether
  // this connection resumed an offered session.
  SSL_SESSION* tls_session() const noexcept;
  bool tls_resumed() const noexcept;
  // OpenSSL's reason for the last TLS failure ("certificate verify failed: unable to get local
  // issuer certificate"), for error messages. Kept until the next handshake, also after close().
  std::string tls_failure_reason() const;
  // The peer's certificate: on the server side the client's, with chain_verified against the
  // context's client CAs (validity dates apart, in within_validity); on the client side the
  // server's. present == false without TLS or without a certificate.
  PeerCertificate peer_certificate() const;

  // WebSocket client upgrade: GET `path` with Sec-WebSocket-Protocol `subprotocol`; checks
  // 101, Sec-WebSocket-Accept and the subprotocol; from then on every read and write is framed.
  boost::asio::awaitable<boost::system::error_code> async_ws_client_handshake(
      std::string_view host, std::string_view path = kIotHubWebSocketPath,
      std::string_view subprotocol = kMqttSubprotocol);
  // After ws_handshake_refused: the HTTP status the server answered (0 when none parsed) and a
  // sentence saying what was wrong ("HTTP 404 instead of 101 Switching Protocols"). Kept until
  // the next handshake, also after close().
  std::uint16_t ws_handshake_status() const noexcept { return ws_status_; }
  std::string ws_failure_reason() const;
  // WebSocket server side: the caller read and checked the upgrade request (it routes HTTP);
  // this writes the 101 answer (with Sec-WebSocket-Protocol when `subprotocol` is not empty)
  // and switches framing on. `leftover`: bytes the caller read past the request head; they are
  // read first.
  boost::asio::awaitable<boost::system::error_code> async_ws_server_accept(
      std::string_view sec_websocket_key, std::string_view subprotocol,
      std::span<const std::uint8_t> leftover);

  // Writes all of `data` (before framing is on: an HTTP response) waiting for writability.
  boost::asio::awaitable<boost::system::error_code> async_write_all(std::span<const std::uint8_t> data);

  // ---- I/O after the handshakes ----
  // Non-blocking. would_block when nothing can be read/written now; eof at a clean end
  // (TCP FIN, TLS close_notify, WebSocket close). read_some may return 0 bytes with no error
  // when it consumed only framing or control frames: wait for readability again.
  // A write on a WebSocket stream after a close frame was received or queued fails with ws_closed.
  std::size_t read_some(const boost::asio::mutable_buffer& buffer, boost::system::error_code& ec);
  std::size_t write_some(const boost::asio::const_buffer& buffer, boost::system::error_code& ec);

  // The AsyncReadStream / AsyncWriteStream surface (asio::async_write, Beast's http::async_read):
  // read_some / write_some on the first non-empty buffer, waiting for readiness while they would
  // block. Completion signature void(error_code, std::size_t); never completes inline.
  template <class MutableBufferSequence, class Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
        SomeOp<boost::asio::mutable_buffer>{this, first_buffer<boost::asio::mutable_buffer>(buffers)}, token,
        socket_);
  }
  template <class ConstBufferSequence, class Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
        SomeOp<boost::asio::const_buffer>{this, first_buffer<boost::asio::const_buffer>(buffers)}, token,
        socket_);
  }

  // Waits for readability or writability. Completion signature void(error_code).
  template <class Token>
  auto async_wait(wait_type what, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](auto handler, wait_type w) {
          if (w == wait_read && readable_without_socket()) {
            auto ex = boost::asio::get_associated_executor(handler, socket_.get_executor());
            boost::asio::post(ex, [h = std::move(handler)]() mutable { h(boost::system::error_code{}); });
            return;
          }
          socket_.async_wait(w, std::move(handler));
        },
        token, what);
  }

  // Best effort: a TLS close_notify / WebSocket close frame if the socket takes it at once,
  // then closes the socket (pending waits complete with operation_aborted). Frees the SSL and
  // the framing state: the stream can connect again.
  void close(boost::system::error_code& ec);
  // The socket's shutdown (e.g. to wake a reader with end of stream); TLS and WebSocket
  // closings are left to close().
  void shutdown(tcp::socket::shutdown_type what, boost::system::error_code& ec);

 private:
  struct WsState;  // websocket framing state (websocket.hpp)
  static bool would_block(const boost::system::error_code& ec) noexcept {
    return ec == boost::asio::error::would_block || ec == boost::asio::error::try_again;
  }
  template <class Buffer, class Sequence>
  static Buffer first_buffer(const Sequence& buffers) {
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      Buffer b(*it);
      if (b.size() > 0) return b;
    }
    return Buffer();
  }

  // async_read_some / async_write_some: try, wait while it would block, try again.
  template <class Buffer>
  struct SomeOp {
    static constexpr bool reading = std::is_same_v<Buffer, boost::asio::mutable_buffer>;
    Stream* stream;
    Buffer buffer;
    bool done = false;
    boost::system::error_code result{};
    std::size_t transferred = 0;

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec = {}) {
      if (done) {
        self.complete(result, transferred);
        return;
      }
      if (ec) {  // the wait failed: closed or cancelled
        self.complete(ec, 0);
        return;
      }
      if (buffer.size() > 0) {
        if constexpr (reading) {
          transferred = stream->read_some(buffer, result);
        } else {
          transferred = stream->write_some(buffer, result);
        }
        // A WebSocket read that consumed only framing returns 0 bytes: wait for more too.
        if (would_block(result) || (reading && transferred == 0 && !result)) {
          stream->async_wait(reading ? wait_read : wait_write, std::move(self));
          return;
        }
      }
      // Completing from inside the initiating call would run the caller's handler inline.
      done = true;
      boost::asio::post(std::move(self));
    }
  };

  bool readable_without_socket() const noexcept;
  // The transport under the framing: TCP, or TLS over it. raw_read fills as much of the buffer
  // as the transport holds; raw_write writes as much as it takes.
  std::size_t raw_read(const boost::asio::mutable_buffer& buffer, boost::system::error_code& ec);
  std::size_t raw_write(const boost::asio::const_buffer& buffer, boost::system::error_code& ec);
  std::size_t tls_read(const boost::asio::mutable_buffer& buffer, boost::system::error_code& ec);
  std::size_t tls_write(const boost::asio::const_buffer& buffer, boost::system::error_code& ec);
  std::size_t ws_write(const boost::asio::const_buffer& buffer, boost::system::error_code& ec);
  void ws_flush_control() noexcept;
  // What an SSL_* call's failure means (would_block, eof, a system error, a TLS failure whose
  // reason is kept for tls_failure_reason); `saved_errno` is errno right after the call.
  boost::system::error_code tls_error(int result, int saved_errno, bool handshake);
  boost::asio::awaitable<boost::system::error_code> async_tls_handshake();
  void reset_failure() noexcept;
  void free_ssl() noexcept;

  tcp::socket socket_;
  SSL* ssl_ = nullptr;
  std::unique_ptr<WsState> ws_;
  unsigned long tls_error_ = 0;  // OpenSSL's error code of the last TLS failure
  int tls_verify_result_ = 0;    // X509_V_OK, or why the server's certificate was rejected
  std::uint16_t ws_status_ = 0;  // HTTP status of a refused WebSocket upgrade
  std::uint8_t ws_refusal_ = 0;  // ws::Refusal of a refused WebSocket upgrade
  // The last raw read filled the caller's buffer (or stopped at an error with data in hand):
  // the transport may hold more, so the next wait completes at once instead of going through
  // the reactor.
  bool more_input_ = false;
  // The last raw write stopped short: OpenSSL may hold a record that only a retry of the same
  // bytes may finish, so nothing else is written until the caller retries.
  bool write_blocked_ = false;
};

}  // namespace fleetsim::transports

namespace boost::system {
template <>
struct is_error_code_enum<fleetsim::transports::StreamError> : std::true_type {};
}  // namespace boost::system
