#include "hub/hub_tls.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "hub/hub.hpp"
#include "hub/server_certificate.hpp"
#include "transports/tls/certificates.hpp"
#include "transports/tls/tls_context.hpp"

namespace fleetsim::hub {
namespace {

// A private temporary file holding `content`, removed when this goes: TlsContext loads CA files
// by path, and CAs added at runtime have none.
class TemporaryFile {
 public:
  explicit TemporaryFile(std::string_view content) {
    std::string pattern = (std::filesystem::temp_directory_path() / "fleetsim-client-cas-XXXXXX").string();
    const int fd = ::mkstemp(pattern.data());  // mode 0600
    if (fd < 0) {
      throw tls::TlsError(std::string("cannot create a temporary CA file: ") + std::strerror(errno));
    }
    path_ = pattern;
    std::size_t done = 0;
    while (done < content.size()) {
      const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(fd);
        ::unlink(path_.c_str());
        throw tls::TlsError("cannot write the temporary CA file " + path_);
      }
      done += static_cast<std::size_t>(n);
    }
    ::close(fd);
  }
  ~TemporaryFile() { ::unlink(path_.c_str()); }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

}  // namespace

void HubTls::prepare(const HubConfig& config) {
  if (config.cert_file.empty() != config.key_file.empty()) {
    throw std::invalid_argument("a TLS certificate needs both a certificate file and a key file");
  }
  if (!config.cert_file.empty()) {
    cert_file_ = config.cert_file;
    key_file_ = config.key_file;
    ca_file_.clear();
    return;
  }
  const ServerCertificateFiles files = ensure_server_certificate(
      config.data_dir.empty() ? default_data_dir() : config.data_dir, config.host_name);
  cert_file_ = files.cert_file;
  key_file_ = files.key_file;
  ca_file_ = files.ca_file;
}

void HubTls::add_trusted_ca(std::string_view ca_pem) {
  if (!tls::thumbprint_of_pem(ca_pem)) throw tls::TlsError("the trusted CA is not a PEM certificate");
  const std::lock_guard lock(mutex_);
  added_cas_.emplace_back(ca_pem);
}

tls::TlsContext HubTls::make_context(const HubConfig& config) const {
  tls::ServerOptions options;
  options.cert_file = cert_file_;
  options.key_file = key_file_;
  options.request_client_certificate = true;
  options.client_ca_files = config.client_ca_files;
  std::string added;
  {
    const std::lock_guard lock(mutex_);
    for (const std::string& pem : added_cas_) added.append(pem).append("\n");
  }
  if (added.empty()) return tls::TlsContext::server(options);
  const TemporaryFile file(added);
  options.client_ca_files.push_back(file.path());
  return tls::TlsContext::server(options);
}

}  // namespace fleetsim::hub
