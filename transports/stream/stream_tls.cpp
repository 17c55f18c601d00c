// The Stream's TLS layer: OpenSSL straight on the non-blocking socket through a small BIO, the
// handshakes as coroutines, sessions, the peer's certificate and failure reasons.
#include <arpa/inet.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <climits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "transports/stream/stream.hpp"
#include "transports/stream/ws_state.hpp"
#include "transports/tls/certificates.hpp"
#include "transports/tls/openssl_util.hpp"
#include "transports/tls/tls_context.hpp"

namespace fleetsim::transports {
namespace {

// OpenSSL's socket BIO writes with write(2), which raises SIGPIPE on a connection the peer
// reset; this one uses send(MSG_NOSIGNAL), as Asio does, so a dropped device costs an error
// code and not the process. The descriptor stays owned by the Asio socket.
int socket_fd(BIO* bio) noexcept {
  return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio)));
}

int bio_write(BIO* bio, const char* data, int size) {
  BIO_clear_retry_flags(bio);
  for (;;) {
    const ssize_t n = ::send(socket_fd(bio), data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
    if (n >= 0) return static_cast<int>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_write(bio);
    return -1;
  }
}

int bio_read(BIO* bio, char* data, int size) {
  BIO_clear_retry_flags(bio);
  for (;;) {
    const ssize_t n = ::recv(socket_fd(bio), data, static_cast<std::size_t>(size), 0);
    if (n >= 0) return static_cast<int>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_read(bio);
    return -1;
  }
}

long bio_ctrl(BIO* bio, int command, long, void* pointer) {
  switch (command) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_C_GET_FD:
      if (pointer != nullptr) *static_cast<int*>(pointer) = socket_fd(bio);
      return socket_fd(bio);
    default:
      return 0;
  }
}

BIO_METHOD* socket_bio_method() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m =
        BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR, "fleetsim socket");
    if (m != nullptr) {
      BIO_meth_set_write(m, bio_write);
      BIO_meth_set_read(m, bio_read);
      BIO_meth_set_ctrl(m, bio_ctrl);
    }
    return m;
  }();
  return method;
}

bool attach_socket(SSL* ssl, int fd) {
  BIO_METHOD* method = socket_bio_method();
  BIO* bio = method != nullptr ? BIO_new(method) : nullptr;
  if (bio == nullptr) return false;
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(fd)));
  BIO_set_init(bio, 1);
  SSL_set_bio(ssl, bio, bio);  // one reference, shared by both directions
  return true;
}

bool is_ip_literal(const std::string& name) {
  unsigned char address[16];
  return inet_pton(AF_INET, name.c_str(), address) == 1 || inet_pton(AF_INET6, name.c_str(), address) == 1;
}

// Reports the oldest queued OpenSSL error (the cause; later entries are consequences).
unsigned long take_ssl_error() {
  const unsigned long error = ERR_get_error();
  ERR_clear_error();
  return error;
}

bool use_client_certificate(SSL* ssl, const ClientCertificate& identity) {
  const unsigned char* cert_der = identity.certificate_der.data();
  X509* cert = d2i_X509(nullptr, &cert_der, static_cast<long>(identity.certificate_der.size()));
  const tls::detail::PkeyPtr key = tls::detail::parse_der_private_key(identity.private_key_der);
  const bool ok = cert != nullptr && key != nullptr && SSL_use_certificate(ssl, cert) == 1 &&
                  SSL_use_PrivateKey(ssl, key.get()) == 1 && SSL_check_private_key(ssl) == 1;
  X509_free(cert);  // the SSL holds its own references
  return ok;
}

}  // namespace

void release_tls_session(SSL_SESSION* session) noexcept {
  SSL_SESSION_free(session);
}

void Stream::free_ssl() noexcept {
  if (ssl_ == nullptr) return;
  // SSL_free marks the session of a connection that ended without close_notify as not
  // resumable, which would also spoil the copy handed out by tls_session(). MQTT connections
  // routinely end that way (a dropped device, a reset), and a fatal TLS alert has already
  // marked its session by itself; so the end is declared orderly here.
  SSL_set_shutdown(ssl_, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  SSL_free(ssl_);
  ssl_ = nullptr;
}

void Stream::reset_failure() noexcept {
  tls_error_ = 0;
  tls_verify_result_ = X509_V_OK;
  ws_status_ = 0;
  ws_refusal_ = 0;
}

boost::system::error_code Stream::tls_error(int result, int saved_errno, bool handshake) {
  switch (SSL_get_error(ssl_, result)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      return boost::asio::error::would_block;
    case SSL_ERROR_ZERO_RETURN:
      return boost::asio::error::eof;
    case SSL_ERROR_SYSCALL:
      ERR_clear_error();
      if (saved_errno != 0) return {saved_errno, boost::system::system_category()};
      if (!handshake) return boost::asio::error::eof;  // the peer closed without close_notify
      tls_error_ = ERR_PACK(ERR_LIB_SSL, 0, SSL_R_UNEXPECTED_EOF_WHILE_READING);
      return make_error_code(StreamError::tls_handshake_failed);
    default:
      tls_error_ = take_ssl_error();
      if (!handshake && ERR_GET_REASON(tls_error_) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        return boost::asio::error::eof;
      }
      return make_error_code(handshake ? StreamError::tls_handshake_failed : StreamError::tls_failed);
  }
}

std::size_t Stream::tls_read(const boost::asio::mutable_buffer& buffer, boost::system::error_code& ec) {
  // OpenSSL hands out one record per SSL_read; keep reading until the socket is drained
  // (WANT_READ) or the buffer is full, so that an edge-triggered wait never misses bytes left
  // in the socket.
  auto* bytes = static_cast<unsigned char*>(buffer.data());
  const std::size_t size = buffer.size();
  std::size_t total = 0;
  more_input_ = false;
  while (total < size) {
    ERR_clear_error();
    errno = 0;
    const int n =
        SSL_read(ssl_, bytes + total, static_cast<int>(std::min<std::size_t>(size - total, INT_MAX)));
    if (n > 0) {
      total += static_cast<std::size_t>(n);
      continue;
    }
    const boost::system::error_code error = tls_error(n, errno, false);
    if (would_block(error)) {
      // The attempt that met the empty socket allocated a fresh record buffer (16.7 KB) and
      // would keep it while the connection idles; it holds no partial record, so it goes.
      SSL_free_buffers(ssl_);
      if (total == 0) ec = error;
      return total;
    }
    if (total == 0) {
      ec = error;
      return 0;
    }
    more_input_ = true;  // hand out the bytes now; the next read meets the end or the error
    return total;
  }
  more_input_ = total > 0;
  return total;
}

std::size_t Stream::tls_write(const boost::asio::const_buffer& buffer, boost::system::error_code& ec) {
  const auto* bytes = static_cast<const unsigned char*>(buffer.data());
  const std::size_t size = buffer.size();
  std::size_t total = 0;
  while (total < size) {
    ERR_clear_error();
    errno = 0;
    const int n =
        SSL_write(ssl_, bytes + total, static_cast<int>(std::min<std::size_t>(size - total, INT_MAX)));
    if (n > 0) {
      total += static_cast<std::size_t>(n);
      continue;
    }
    const boost::system::error_code error = tls_error(n, errno, false);
    write_blocked_ = would_block(error);
    if (total == 0) ec = error;
    return total;
  }
  write_blocked_ = false;
  return total;
}

boost::asio::awaitable<boost::system::error_code> Stream::async_tls_handshake() {
  const auto token = boost::asio::as_tuple(boost::asio::use_awaitable);
  for (;;) {
    if (ssl_ == nullptr) co_return boost::asio::error::operation_aborted;  // closed meanwhile
    ERR_clear_error();
    errno = 0;
    const int result = SSL_do_handshake(ssl_);
    if (result == 1) {
      SSL_free_buffers(ssl_);  // an idle connection keeps no record buffers (no-op if a record is pending)
      co_return boost::system::error_code{};
    }
    const int saved_errno = errno;
    const int error = SSL_get_error(ssl_, result);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
      auto [wait_ec] =
          co_await socket_.async_wait(error == SSL_ERROR_WANT_READ ? wait_read : wait_write, token);
      if (wait_ec) co_return wait_ec;
      continue;
    }
    const boost::system::error_code failure = tls_error(result, saved_errno, true);
    if (SSL_is_server(ssl_) == 0 && (SSL_get_verify_mode(ssl_) & SSL_VERIFY_PEER) != 0) {
      const long verify = SSL_get_verify_result(ssl_);
      if (verify != X509_V_OK) {
        tls_verify_result_ = static_cast<int>(verify);
        co_return make_error_code(StreamError::tls_certificate_rejected);
      }
    }
    co_return failure;
  }
}

boost::asio::awaitable<boost::system::error_code> Stream::async_tls_client_handshake(
    const tls::TlsContext& context, std::string_view server_name, SSL_SESSION* resume,
    const ClientCertificate* identity) {
  reset_failure();
  free_ssl();
  ws_.reset();
  more_input_ = false;
  write_blocked_ = false;
  boost::system::error_code ec;
  socket_.non_blocking(true, ec);
  if (ec) co_return ec;
  const auto fail = [this] {
    tls_error_ = take_ssl_error();
    return make_error_code(StreamError::tls_handshake_failed);
  };
  ssl_ = SSL_new(context.native());
  if (ssl_ == nullptr || !attach_socket(ssl_, socket_.native_handle())) co_return fail();
  SSL_set_connect_state(ssl_);
  const std::string name(server_name);
  const bool ip = is_ip_literal(name);
  // SNI carries host names only (RFC 6066 section 3); an address is checked against IP SANs.
  if (!ip && !name.empty() && SSL_set_tlsext_host_name(ssl_, name.c_str()) != 1) co_return fail();
  if (context.verifies_peer()) {
    const bool set = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), name.c_str()) == 1
                        : SSL_set1_host(ssl_, name.c_str()) == 1;
    if (!set) co_return fail();
  }
  if (resume != nullptr && SSL_set_session(ssl_, resume) != 1) co_return fail();
  if (identity != nullptr && !use_client_certificate(ssl_, *identity)) co_return fail();
  ec = co_await async_tls_handshake();
  // The key and certificate served their purpose (no renegotiation, no post-handshake auth):
  // an idle X.509 session should not carry them.
  if (!ec && identity != nullptr && ssl_ != nullptr) SSL_certs_clear(ssl_);
  co_return ec;
}

boost::asio::awaitable<boost::system::error_code> Stream::async_tls_server_handshake(
    const tls::TlsContext& context) {
  reset_failure();
  free_ssl();
  ws_.reset();
  more_input_ = false;
  write_blocked_ = false;
  boost::system::error_code ec;
  socket_.non_blocking(true, ec);
  if (ec) co_return ec;
  ssl_ = SSL_new(context.native());
  if (ssl_ == nullptr || !attach_socket(ssl_, socket_.native_handle())) {
    tls_error_ = take_ssl_error();
    co_return make_error_code(StreamError::tls_handshake_failed);
  }
  SSL_set_accept_state(ssl_);
  co_return co_await async_tls_handshake();
}

SSL_SESSION* Stream::tls_session() const noexcept {
  if (ssl_ == nullptr) return nullptr;
  SSL_SESSION* session = SSL_get1_session(ssl_);
  if (session != nullptr && SSL_SESSION_is_resumable(session) != 1) {
    SSL_SESSION_free(session);  // TLS 1.3 before the server's ticket arrived
    return nullptr;
  }
  return session;
}

bool Stream::tls_resumed() const noexcept {
  return ssl_ != nullptr && SSL_session_reused(ssl_) == 1;
}

std::string Stream::tls_failure_reason() const {
  std::string reason;
  if (tls_error_ != 0) {
    const char* text = ERR_reason_error_string(tls_error_);
    if (text != nullptr) {
      reason = text;
    } else {
      char buffer[256];
      ERR_error_string_n(tls_error_, buffer, sizeof buffer);
      reason = buffer;
    }
  }
  if (tls_verify_result_ != X509_V_OK) {
    if (!reason.empty()) reason += ": ";
    reason += X509_verify_cert_error_string(tls_verify_result_);
  }
  return reason;
}

PeerCertificate Stream::peer_certificate() const {
  PeerCertificate peer;
  if (ssl_ == nullptr) return peer;
  X509* cert = SSL_get0_peer_certificate(ssl_);
  if (cert == nullptr) return peer;
  peer.present = true;
  X509_NAME* subject = X509_get_subject_name(cert);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index >= 0) {
    unsigned char* utf8 = nullptr;
    const int length =
        ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
    if (length >= 0)
      peer.common_name.assign(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
  }
  unsigned char* der = nullptr;
  const int der_size = i2d_X509(cert, &der);
  if (der_size > 0) {
    const std::span<const std::uint8_t> bytes(der, static_cast<std::size_t>(der_size));
    peer.sha1_thumbprint = tls::sha1_thumbprint(bytes);
    peer.sha256_thumbprint = tls::sha256_thumbprint(bytes);
  }
  OPENSSL_free(der);
  // The server context checked the chain against its client CAs during the handshake, with
  // dates ignored (tls_context.cpp), and kept the verdict; the dates are judged here.
  peer.chain_verified =
      (SSL_get_verify_mode(ssl_) & SSL_VERIFY_PEER) != 0 && SSL_get_verify_result(ssl_) == X509_V_OK;
  peer.within_validity = X509_cmp_current_time(X509_get0_notBefore(cert)) < 0 &&
                         X509_cmp_current_time(X509_get0_notAfter(cert)) > 0;
  ERR_clear_error();
  return peer;
}

}  // namespace fleetsim::transports
