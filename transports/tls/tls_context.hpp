// Shared OpenSSL contexts (one SSL_CTX per role, shared by every connection of a process), made
// for fleets: SSL_MODE_RELEASE_BUFFERS so an idle TLS session keeps no record buffers,
// SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER so non-blocking writes work
// with the connection's own "unwritten rest" buffers, TLS 1.2 minimum.
//
// Thread safety: a TlsContext is immutable after construction and may be shared by all threads.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

typedef struct ssl_ctx_st SSL_CTX;

namespace fleetsim::tls {

// Configuration errors (unreadable file, bad PEM, key not matching the certificate): the
// message names the file and OpenSSL's reason.
class TlsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ClientOptions {
  std::string ca_file;           // PEM bundle trusted in addition to the system store
  bool use_system_store = true;  // the OS trust store (/etc/ssl/certs)
  bool verify = true;            // false: no server verification (the run's report says so)
};

struct ServerOptions {
  std::string cert_file;  // PEM chain, leaf first
  std::string key_file;   // PEM private key
  // Ask every client for a certificate (not required): X.509 identities authenticate with it.
  // The chain is NOT rejected during the handshake; the hub decides at CONNECT time (CA-signed
  // by one of `client_ca_files`, or a registered self-signed thumbprint).
  bool request_client_certificate = true;
  std::vector<std::string> client_ca_files;  // CAs whose signatures make a client cert "verified"
};

class TlsContext {
 public:
  static TlsContext client(const ClientOptions& options);  // throws TlsError
  static TlsContext server(const ServerOptions& options);  // throws TlsError

  SSL_CTX* native() const noexcept { return ctx_.get(); }
  bool verifies_peer() const noexcept { return verify_; }

 private:
  struct Free {
    void operator()(SSL_CTX* ctx) const noexcept;
  };
  std::shared_ptr<SSL_CTX> ctx_;
  bool verify_ = true;
};

}  // namespace fleetsim::tls
