#include "hub/service/identity_records.hpp"

#include <algorithm>
#include <chrono>
#include <span>

#include "transports/iothub/sas.hpp"

namespace fleetsim::hub::service {
namespace {

// .NET ticks (100 ns since 0001-01-01) at the Unix epoch: IoT Hub's generationIds read like
// tick counts ("635937464376399955"), and so do ours.
constexpr std::uint64_t dotnet_ticks_at_unix_epoch = 621'355'968'000'000'000ULL;

std::uint64_t dotnet_ticks(twin::Timestamp now) {
  using ticks = std::chrono::duration<std::int64_t, std::ratio<1, 10'000'000>>;
  const std::int64_t since_unix = std::chrono::floor<ticks>(now).time_since_epoch().count();
  return since_unix < 0 ? dotnet_ticks_at_unix_epoch
                        : dotnet_ticks_at_unix_epoch + static_cast<std::uint64_t>(since_unix);
}

}  // namespace

const IdentityRecord& IdentityRecords::defaults(const Identity& identity, IdentityRecord& scratch) const {
  // FNV-1a of the id: stable for the identity's life, 18 digits like the real hub's ids.
  std::uint64_t hash = 0xCBF29CE484222325ULL;
  for (const char c : identity.client_id) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001B3ULL;
  scratch = IdentityRecord{};
  scratch.generation_id = std::to_string(100'000'000'000'000'000ULL + hash % 900'000'000'000'000'000ULL);
  scratch.etag = "MA==";
  return scratch;
}

const IdentityRecord& IdentityRecords::view(const Identity& identity) const {
  const auto it = records_.find(std::string_view(identity.client_id));
  return it != records_.end() ? it->second : defaults(identity, default_scratch_);
}

IdentityRecord& IdentityRecords::of(const Identity& identity) {
  const auto it = records_.find(std::string_view(identity.client_id));
  if (it != records_.end()) return it->second;
  IdentityRecord scratch;
  return records_.emplace(identity.client_id, defaults(identity, scratch)).first->second;
}

IdentityRecord& IdentityRecords::create(const Identity& identity, twin::Timestamp now) {
  IdentityRecord& record = records_[identity.client_id];
  record = IdentityRecord{};
  // Strictly increasing even for creations within one tick, so each is new (reference 1.1).
  const std::uint64_t generation = std::max(dotnet_ticks(now), last_generation_ + 1);
  last_generation_ = generation;
  record.generation_id = std::to_string(generation);
  renew_etag(record);
  return record;
}

void IdentityRecords::renew_etag(IdentityRecord& record) {
  // The shape of IoT Hub's identity etags: base64 of a decimal number ("MA==" is "0").
  const std::string counter = std::to_string(etags_++);
  record.etag =
      iothub::base64_encode(std::span(reinterpret_cast<const std::uint8_t*>(counter.data()), counter.size()));
}

void IdentityRecords::forget(std::string_view client_id) {
  if (const auto it = records_.find(client_id); it != records_.end()) records_.erase(it);
  if (client_id.find('/') != std::string_view::npos) return;
  // A device's modules are "{d}/{m}": the keys after "{d}/" that start with it.
  std::string prefix(client_id);
  prefix += '/';
  auto it = records_.lower_bound(std::string_view(prefix));
  while (it != records_.end() && std::string_view(it->first).starts_with(prefix)) it = records_.erase(it);
}

std::string timestamp_or_never(const std::optional<twin::Timestamp>& t) {
  return t ? twin::format_timestamp(*t) : std::string(never_timestamp);
}

}  // namespace fleetsim::hub::service
