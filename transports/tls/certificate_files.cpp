// Thumbprints of certificates and atomic writes of certificate and key files.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "transports/tls/certificates.hpp"
#include "transports/tls/openssl_util.hpp"

namespace fleetsim::tls {
namespace {

std::string upper_hex_digest(std::span<const std::uint8_t> der, const EVP_MD* md) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(der.data(), der.size(), digest, &length, md, nullptr) != 1)
    detail::throw_tls_error("digest");
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out(2 * length, '\0');
  for (unsigned int i = 0; i < length; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0x0F];
  }
  return out;
}

[[noreturn]] void throw_file_error(const std::string& what, const std::string& path, int error) {
  throw TlsError(what + " " + path + ": " + std::strerror(error));
}

}  // namespace

std::string sha1_thumbprint(std::span<const std::uint8_t> der) {
  return upper_hex_digest(der, EVP_sha1());
}

std::string sha256_thumbprint(std::span<const std::uint8_t> der) {
  return upper_hex_digest(der, EVP_sha256());
}

std::optional<std::string> thumbprint_of_pem(std::string_view pem, bool sha256) {
  const detail::X509Ptr x = detail::parse_pem_certificate(pem);
  if (!x) {
    ERR_clear_error();
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  const int size = i2d_X509(x.get(), &der);
  if (size <= 0) {
    ERR_clear_error();
    return std::nullopt;
  }
  const std::span<const std::uint8_t> bytes(der, static_cast<std::size_t>(size));
  std::string thumbprint = sha256 ? sha256_thumbprint(bytes) : sha1_thumbprint(bytes);
  OPENSSL_free(der);
  return thumbprint;
}

void write_file_atomic(const std::string& path, std::string_view content, bool secret) {
  // The temporary file sits next to the target so rename() stays within one file system, and
  // mkstemp creates it 0600: a key is never readable by others, not even for a moment.
  std::string temporary = path + ".tmp-XXXXXX";
  const int fd = mkstemp(temporary.data());
  if (fd < 0) throw_file_error("cannot create a temporary file for", path, errno);
  auto fail = [&](const char* what) {
    const int error = errno;
    close(fd);
    unlink(temporary.c_str());
    throw_file_error(what, path, error);
  };
  if (!secret && fchmod(fd, 0644) != 0) fail("cannot set the mode of");
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (fsync(fd) != 0) fail("cannot sync");
  if (close(fd) != 0) {
    const int error = errno;
    unlink(temporary.c_str());
    throw_file_error("cannot close", path, error);
  }
  if (rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    unlink(temporary.c_str());
    throw_file_error("cannot rename a temporary file to", path, error);
  }
}

}  // namespace fleetsim::tls
