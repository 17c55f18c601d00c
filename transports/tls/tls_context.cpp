#include "transports/tls/tls_context.hpp"

#include <openssl/ssl.h>

#include "transports/tls/openssl_util.hpp"

namespace fleetsim::tls {
namespace {

using detail::throw_tls_error;

SSL_CTX* new_context(const SSL_METHOD* method) {
  SSL_CTX* ctx = SSL_CTX_new(method);
  if (ctx == nullptr) throw_tls_error("SSL_CTX_new");
  // Idle sessions keep no record buffers (a fleet is mostly idle); writes may be partial and
  // resumed from another address, as the connections' "unwritten rest" buffers move.
  SSL_CTX_set_mode(
      ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // MQTT frames its own packets, so a truncation attack gains nothing: a FIN without
  // close_notify is an ordinary end of stream, as many brokers and devices close that way.
  // Renegotiation is refused: nothing needs it and it lets a peer make the other side work.
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
  return ctx;
}

// The hub authenticates X.509 identities at CONNECT time (it may accept a self-signed
// certificate registered by thumbprint), so the handshake itself accepts any client
// certificate; SSL_get_verify_result still records whether it chains to a client CA.
int accept_any_client_certificate(int, X509_STORE_CTX*) {
  return 1;
}

}  // namespace

void TlsContext::Free::operator()(SSL_CTX* ctx) const noexcept {
  SSL_CTX_free(ctx);
}

TlsContext TlsContext::client(const ClientOptions& options) {
  TlsContext context;
  context.ctx_.reset(new_context(TLS_client_method()), Free{});
  context.verify_ = options.verify;
  SSL_CTX* ctx = context.ctx_.get();
  // Sessions are handed to the caller (Stream::tls_session) to offer on the next connection of
  // the same identity; OpenSSL's own cache would keep every one of them for nothing.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  if (!options.verify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    return context;
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (options.use_system_store && SSL_CTX_set_default_verify_paths(ctx) != 1) {
    throw_tls_error("system trust store");
  }
  if (!options.ca_file.empty() && SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1) {
    throw_tls_error("ca_file " + options.ca_file);
  }
  return context;
}

TlsContext TlsContext::server(const ServerOptions& options) {
  TlsContext context;
  context.ctx_.reset(new_context(TLS_server_method()), Free{});
  context.verify_ = options.request_client_certificate;
  SSL_CTX* ctx = context.ctx_.get();
  if (SSL_CTX_use_certificate_chain_file(ctx, options.cert_file.c_str()) != 1) {
    throw_tls_error("certificate " + options.cert_file);
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    throw_tls_error("private key " + options.key_file);
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    throw_tls_error("private key " + options.key_file + " does not match certificate " + options.cert_file);
  }
  // Resumption by tickets only: the session state travels with the client, so the hub keeps
  // nothing per past connection. One ticket per handshake is enough for one reconnection.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx, 1);
  static constexpr unsigned char kSessionContext[] = "fleetsim-hub";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  if (!options.request_client_certificate) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    return context;
  }
  for (const std::string& file : options.client_ca_files) {
    if (SSL_CTX_load_verify_locations(ctx, file.c_str(), nullptr) != 1)
      throw_tls_error("client CA file " + file);
  }
  // chain_verified means "signed by a client CA"; validity dates are reported apart
  // (PeerCertificate::within_validity), and a registered intermediate is a trust anchor too.
  X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(ctx), X509_V_FLAG_NO_CHECK_TIME | X509_V_FLAG_PARTIAL_CHAIN);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any_client_certificate);
  return context;
}

}  // namespace fleetsim::tls
