#include "hub/server_certificate.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <system_error>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <boost/asio/ip/address.hpp>

#include "transports/tls/certificates.hpp"
#include "transports/tls/tls_context.hpp"

namespace fleetsim::hub {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kCaName = "fleetsim hub local CA";
constexpr long kRenewMarginSeconds = 24 * 3600;

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct X509Free {
  void operator()(X509* x) const noexcept { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr parse_certificate(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                &BIO_free);
  if (!bio) return nullptr;
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// Valid now and still a day from now.
bool valid_for_a_while(X509* certificate) {
  std::time_t later = std::time(nullptr) + kRenewMarginSeconds;
  return X509_cmp_current_time(X509_get0_notBefore(certificate)) < 0 &&
         X509_cmp_time(X509_get0_notAfter(certificate), &later) > 0;
}

bool covers(X509* certificate, std::string_view name) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(name, ec);
  const std::string text(name);
  if (!ec) return X509_check_ip_asc(certificate, text.c_str(), 0) == 1;
  return X509_check_host(certificate, text.data(), text.size(), 0, nullptr) == 1;
}

bool server_certificate_fits(const std::string& server_pem, X509* ca, std::string_view host_name) {
  const X509Ptr server = parse_certificate(server_pem);
  if (!server || !valid_for_a_while(server.get())) return false;
  EVP_PKEY* ca_key = X509_get0_pubkey(ca);
  if (ca_key == nullptr || X509_verify(server.get(), ca_key) != 1) return false;
  return covers(server.get(), "localhost") && covers(server.get(), "127.0.0.1") &&
         covers(server.get(), host_name);
}

tls::LeafRequest server_request(std::string_view host_name) {
  tls::LeafRequest request;
  request.common_name = host_name;
  request.server = true;
  request.dns_names = {"localhost"};
  request.ip_addresses = {"127.0.0.1"};
  boost::system::error_code ec;
  boost::asio::ip::make_address(host_name, ec);
  if (!ec) {
    if (host_name != "127.0.0.1") request.ip_addresses.emplace_back(host_name);
  } else if (host_name != "localhost") {
    request.dns_names.emplace_back(host_name);
  }
  return request;
}

// Holds an exclusive advisory lock on `dir`/.lock: two hubs starting at once with the same
// data folder must not each write half of a CA.
class DirectoryLock {
 public:
  explicit DirectoryLock(const fs::path& dir) {
    const fs::path path = dir / ".lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      throw fs::filesystem_error("cannot open the hub's lock file", path,
                                 std::error_code(errno, std::generic_category()));
    }
    while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  ~DirectoryLock() { ::close(fd_); }  // closing releases the lock
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

std::string default_data_dir() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg == '/') {
    return (fs::path(xdg) / "fleetsim" / "hub").string();
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return (fs::path(home) / ".local" / "share" / "fleetsim" / "hub").string();
  }
  return "fleetsim-hub-data";
}

ServerCertificateFiles ensure_server_certificate(const std::string& data_dir, std::string_view host_name) {
  const fs::path dir = fs::absolute(data_dir);
  // A folder the hub creates holds private keys: owner only. An existing one is left as it is.
  if (fs::create_directories(dir)) fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
  const DirectoryLock lock(dir);

  const fs::path ca_pem = dir / "ca.pem", ca_key = dir / "ca.key";
  const fs::path server_pem = dir / "server.pem", server_key = dir / "server.key";

  std::optional<tls::Authority> authority;
  const auto ca_cert_text = read_file(ca_pem);
  const auto ca_key_text = read_file(ca_key);
  if (ca_cert_text && ca_key_text) {
    const X509Ptr ca = parse_certificate(*ca_cert_text);
    if (ca && valid_for_a_while(ca.get())) {
      try {
        authority = tls::Authority::load(tls::Pem{*ca_cert_text, *ca_key_text});
      } catch (const tls::TlsError&) {
        // A CA whose key does not match is replaced, as if absent.
      }
    }
  }
  bool new_ca = false;
  if (!authority) {
    authority = tls::Authority::create(kCaName);
    const tls::Pem pem = authority->pem();
    tls::write_file_atomic(ca_key.string(), pem.private_key, true);
    tls::write_file_atomic(ca_pem.string(), pem.certificate, false);
    new_ca = true;
  }

  const auto server_cert_text = read_file(server_pem);
  const X509Ptr ca = parse_certificate(authority->certificate_pem());
  const bool reuse = !new_ca && server_cert_text && fs::exists(server_key) && ca &&
                     server_certificate_fits(*server_cert_text, ca.get(), host_name);
  if (!reuse) {
    const tls::Pem pem = authority->issue_pem(server_request(host_name));
    tls::write_file_atomic(server_key.string(), pem.private_key, true);
    tls::write_file_atomic(server_pem.string(), pem.certificate, false);
  }
  return {server_pem.string(), server_key.string(), ca_pem.string()};
}

}  // namespace fleetsim::hub
