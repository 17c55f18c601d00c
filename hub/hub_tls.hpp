// The TLS side of a Hub: the server certificate its TLS listeners present (given files, or the
// hub's own made in its data folder) and the CAs whose signatures authenticate
// certificate_authority identities (files from the configuration plus PEMs added at runtime).
//
// Thread safety: prepare() belongs to Hub::start(); add_trusted_ca() and make_context() may be
// called from any thread (the added PEMs are guarded by a mutex). All of it is blocking file
// I/O: never on the hub's event-loop thread.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "transports/tls/tls_context.hpp"

namespace fleetsim::hub {

struct HubConfig;

class HubTls {
 public:
  // Settles which certificate and key the listeners present: config.cert_file/key_file when
  // given (both or neither: std::invalid_argument), else the hub's own from
  // ensure_server_certificate(config.data_dir or default_data_dir(), config.host_name).
  void prepare(const HubConfig& config);

  // The CA clients trust for the hub's own certificate; empty with a given certificate.
  const std::string& ca_file() const noexcept { return ca_file_; }

  // Remembers `ca_pem` as a trusted issuer of client certificates; throws tls::TlsError when it
  // holds no certificate.
  void add_trusted_ca(std::string_view ca_pem);

  // A server context with the prepared certificate that asks clients for certificates and
  // verifies them against config.client_ca_files and the added CAs. Throws tls::TlsError.
  tls::TlsContext make_context(const HubConfig& config) const;

 private:
  std::string cert_file_;
  std::string key_file_;
  std::string ca_file_;
  mutable std::mutex mutex_;
  std::vector<std::string> added_cas_;  // PEM, guarded by mutex_
};

}  // namespace fleetsim::hub
