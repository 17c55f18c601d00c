// The X.509 identities of one shard (fleet.auth = "x509"): a test CA and one client certificate
// per device and module session, CN = the device id, "{device id}/{module id}" for a module
// (reference/iothub-protocol.md 1.6).
//
// Signing ten thousand certificates at every run start would be wasted time, so they are cached
// on disk, keyed by what makes them: the seed, fleet.id, fleet.devices, fleet.modules and the
// shard. The cache folder is <root>/<16 hex digits of that key>/ holding
//   ca.pem          the CA certificate (what a hub trusts)
//   ca.key          its private key (mode 0600)
//   identities.bin  every session's DER certificate and PKCS#8 DER key, in the shard's session
//                   order, behind a header naming the CA's SHA-256 thumbprint (a file from another
//                   CA, e.g. after two runs raced, is made again rather than used)
// and <root> is $XDG_CACHE_HOME/fleetsim/x509, else $HOME/.cache/fleetsim/x509. Certificates are
// valid for a year; a cache older than kMaxCacheAge is made again.
//
// Memory: identities.bin is loaded as one arena; an identity is an offset and two lengths
// (8 bytes), and a handshake reads its certificate and key straight from the arena.
//
// Thread safety: immutable after load_or_create(); every event-loop thread reads it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/scenario.hpp"
#include "transports/stream/stream.hpp"

namespace fleetsim::sim {

class X509Identities {
 public:
  static constexpr std::chrono::hours kMaxCacheAge{24 * 300};

  // Loads the shard's identities from the cache under `cache_root`, or makes them (on every core)
  // and stores them there. Throws std::runtime_error (tls::TlsError for OpenSSL failures) naming
  // the path and the reason.
  static X509Identities load_or_create(const Scenario& scenario, std::uint32_t shard_index,
                                       std::uint32_t shard_count, const std::string& cache_root);
  // $XDG_CACHE_HOME/fleetsim/x509, $HOME/.cache/fleetsim/x509, or a folder under the temp dir.
  static std::string default_cache_root();
  // The common name of an identity: "{device}" or "{device}/{module}".
  static std::string common_name(std::string_view device_id, std::string_view module_id);

  std::size_t size() const noexcept { return entries_.size(); }
  // The k-th session of the shard (the order of shard_session() and for_each_identity()).
  transports::ClientCertificate identity(std::uint64_t k) const noexcept;
  const std::string& directory() const noexcept { return directory_; }
  std::string ca_file() const { return directory_ + "/ca.pem"; }
  bool loaded_from_cache() const noexcept { return loaded_from_cache_; }

 private:
  struct Entry {
    std::uint32_t offset = 0;  // of the certificate in the arena; the key follows it
    std::uint16_t certificate_size = 0;
    std::uint16_t key_size = 0;
  };
  // Reads identities.bin if it holds `expected` identities signed by the CA in ca.pem.
  bool load(std::size_t expected);
  void create(const Scenario& scenario, std::uint32_t shard_index, std::uint32_t shard_count);

  std::string directory_;
  std::vector<std::uint8_t> arena_;  // identities.bin as read or written
  std::vector<Entry> entries_;
  bool loaded_from_cache_ = false;
};

}  // namespace fleetsim::sim
