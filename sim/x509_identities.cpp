#include "sim/x509_identities.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <thread>

#include "sim/plan.hpp"
#include "transports/tls/certificates.hpp"

namespace fleetsim::sim {
namespace {

namespace fs = std::filesystem;

// identities.bin: magic, identity count (u32 LE), the CA's SHA-256 thumbprint (64 hex digits),
// then per identity: certificate size (u16 LE), key size (u16 LE), certificate DER, key DER.
constexpr std::string_view kMagic = "FSX509v1";
constexpr std::size_t kThumbprintSize = 64;
constexpr std::size_t kHeaderSize = kMagic.size() + 4 + kThumbprintSize;
constexpr std::size_t kEntryHeaderSize = 4;

std::uint64_t fnv1a(std::string_view text) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

// Everything that changes the certificates, and nothing else: the same fleet finds its cache
// whatever the run's duration or behaviours.
std::string cache_key(const Scenario& s, std::uint32_t shard_index, std::uint32_t shard_count) {
  std::string text = "fleetsim-x509-v1|";
  text.append(std::to_string(s.seed)).append("|").append(s.fleet.id).append("|");
  text.append(std::to_string(s.fleet.devices)).append("|");
  for (const std::string& m : s.fleet.modules) text.append(m).append(",");
  text.append("|").append(std::to_string(shard_index)).append("/").append(std::to_string(shard_count));
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a(text)));
  return hex;
}

std::optional<std::vector<std::uint8_t>> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return bytes;
}

void put_le(std::vector<std::uint8_t>& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint32_t get_le(const std::uint8_t* p, int bytes) noexcept {
  std::uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<std::uint32_t>(p[i]) << (8 * i);
  return v;
}

}  // namespace

std::string X509Identities::default_cache_root() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && xdg[0] == '/') {
    return std::string(xdg) + "/fleetsim/x509";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0') {
    return std::string(home) + "/.cache/fleetsim/x509";
  }
  return (fs::temp_directory_path() / "fleetsim-x509").string();
}

std::string X509Identities::common_name(std::string_view device_id, std::string_view module_id) {
  std::string cn(device_id);
  if (!module_id.empty()) cn.append("/").append(module_id);
  return cn;
}

X509Identities X509Identities::load_or_create(const Scenario& scenario, std::uint32_t shard_index,
                                              std::uint32_t shard_count, const std::string& cache_root) {
  X509Identities ids;
  ids.directory_ = cache_root + "/" + cache_key(scenario, shard_index, shard_count);
  const std::size_t expected = shard_session_count(scenario, shard_index, shard_count);
  if (ids.load(expected)) {
    ids.loaded_from_cache_ = true;
    return ids;
  }
  ids.create(scenario, shard_index, shard_count);
  return ids;
}

bool X509Identities::load(std::size_t expected) {
  const fs::path dir(directory_);
  std::error_code ec;
  const auto written = fs::last_write_time(dir / "identities.bin", ec);
  if (ec || fs::file_time_type::clock::now() - written > kMaxCacheAge) return false;
  const auto ca = read_bytes(dir / "ca.pem");
  auto bytes = read_bytes(dir / "identities.bin");
  if (!ca || !bytes || bytes->size() < kHeaderSize) return false;
  const auto thumbprint =
      tls::thumbprint_of_pem(std::string_view(reinterpret_cast<const char*>(ca->data()), ca->size()), true);
  const std::uint8_t* p = bytes->data();
  if (!thumbprint || thumbprint->size() != kThumbprintSize ||
      std::memcmp(p, kMagic.data(), kMagic.size()) != 0 || get_le(p + kMagic.size(), 4) != expected ||
      std::memcmp(p + kMagic.size() + 4, thumbprint->data(), kThumbprintSize) != 0) {
    return false;
  }
  std::vector<Entry> entries;
  entries.reserve(expected);
  std::size_t at = kHeaderSize;
  for (std::size_t i = 0; i < expected; ++i) {
    if (bytes->size() - at < kEntryHeaderSize) return false;
    Entry e;
    e.certificate_size = static_cast<std::uint16_t>(get_le(p + at, 2));
    e.key_size = static_cast<std::uint16_t>(get_le(p + at + 2, 2));
    at += kEntryHeaderSize;
    if (bytes->size() - at < std::size_t{e.certificate_size} + e.key_size) return false;
    e.offset = static_cast<std::uint32_t>(at);
    at += std::size_t{e.certificate_size} + e.key_size;
    entries.push_back(e);
  }
  if (at != bytes->size()) return false;
  arena_ = std::move(*bytes);
  entries_ = std::move(entries);
  return true;
}

void X509Identities::create(const Scenario& scenario, std::uint32_t shard_index, std::uint32_t shard_count) {
  const std::size_t n = shard_session_count(scenario, shard_index, shard_count);
  const tls::Authority ca =
      tls::Authority::create("fleetsim test CA " + fs::path(directory_).filename().string());
  const tls::Pem ca_pem = ca.pem();

  // Signing is CPU-bound and Authority is immutable: every core takes every T-th identity.
  std::vector<tls::Der> made(n);
  const std::size_t threads =
      std::clamp<std::size_t>(n / 256, 1, std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::exception_ptr> failures(threads);
  auto sign = [&](std::size_t t) {
    try {
      for (std::size_t k = t; k < n; k += threads) {
        const SessionId id = shard_session(scenario, shard_index, shard_count, k);
        tls::LeafRequest request;
        request.common_name =
            common_name(device_id(scenario, id.device_index), module_id(scenario, id.module_slot));
        made[k] = ca.issue_der(request);
      }
    } catch (...) {
      failures[t] = std::current_exception();
    }
  };
  std::vector<std::thread> workers;
  for (std::size_t t = 1; t < threads; ++t) workers.emplace_back(sign, t);
  sign(0);
  for (auto& w : workers) w.join();
  for (const auto& f : failures) {
    if (f) std::rethrow_exception(f);
  }

  const auto thumbprint = tls::thumbprint_of_pem(ca_pem.certificate, true);
  if (!thumbprint || thumbprint->size() != kThumbprintSize) {
    throw std::runtime_error("cannot compute the thumbprint of the test CA");
  }
  std::size_t total = kHeaderSize;
  for (const tls::Der& d : made) total += kEntryHeaderSize + d.certificate.size() + d.private_key.size();
  if (total > UINT32_MAX) throw std::runtime_error("too many X.509 identities for one shard");
  arena_.clear();
  arena_.reserve(total);
  arena_.insert(arena_.end(), kMagic.begin(), kMagic.end());
  put_le(arena_, n, 4);
  arena_.insert(arena_.end(), thumbprint->begin(), thumbprint->end());
  entries_.clear();
  entries_.reserve(n);
  for (tls::Der& d : made) {
    if (d.certificate.size() > UINT16_MAX || d.private_key.size() > UINT16_MAX) {
      throw std::runtime_error("an X.509 identity is larger than 64 KB");
    }
    put_le(arena_, d.certificate.size(), 2);
    put_le(arena_, d.private_key.size(), 2);
    entries_.push_back(Entry{static_cast<std::uint32_t>(arena_.size()),
                             static_cast<std::uint16_t>(d.certificate.size()),
                             static_cast<std::uint16_t>(d.private_key.size())});
    arena_.insert(arena_.end(), d.certificate.begin(), d.certificate.end());
    arena_.insert(arena_.end(), d.private_key.begin(), d.private_key.end());
    std::vector<std::uint8_t>().swap(d.certificate);  // frees as it goes: the peak stays near one copy
    std::vector<std::uint8_t>().swap(d.private_key);
  }

  std::error_code ec;
  fs::create_directories(directory_, ec);
  if (ec)
    throw std::runtime_error("cannot create the X.509 cache folder " + directory_ + ": " + ec.message());
  fs::permissions(directory_, fs::perms::owner_all, ec);  // it holds private keys
  tls::write_file_atomic(directory_ + "/ca.pem", ca_pem.certificate, false);
  tls::write_file_atomic(directory_ + "/ca.key", ca_pem.private_key, true);
  tls::write_file_atomic(directory_ + "/identities.bin",
                         std::string_view(reinterpret_cast<const char*>(arena_.data()), arena_.size()), true);
  loaded_from_cache_ = false;
}

transports::ClientCertificate X509Identities::identity(std::uint64_t k) const noexcept {
  const Entry& e = entries_[k];
  const std::uint8_t* cert = arena_.data() + e.offset;
  return transports::ClientCertificate{{cert, e.certificate_size}, {cert + e.certificate_size, e.key_size}};
}

}  // namespace fleetsim::sim
