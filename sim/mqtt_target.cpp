#include "sim/mqtt_target.hpp"

#include <algorithm>

#include "sim/plan.hpp"
#include "sim/scenario_names.hpp"
#include "sim/values.hpp"
#include "transports/mqtt/codec.hpp"
#include "transports/mqtt/properties.hpp"

namespace fleetsim::sim {
namespace {

std::optional<TopicTemplate::Field> field_named(std::string_view name) noexcept {
  if (name == "device") return TopicTemplate::Field::device;
  if (name == "module") return TopicTemplate::Field::module;
  if (name == "stream") return TopicTemplate::Field::stream;
  return std::nullopt;
}

}  // namespace

std::optional<TopicTemplate> TopicTemplate::parse(std::string_view text, std::string* unknown) {
  TopicTemplate t;
  t.levels_.emplace_back();
  for (const detail::TemplatePiece& piece : detail::split_template(text)) {
    if (piece.placeholder) {
      const auto field = field_named(piece.text);
      if (!field) {
        if (unknown != nullptr) *unknown = std::string(piece.text);
        return std::nullopt;
      }
      t.levels_.back().pieces.push_back(Piece{*field, {}});
      t.levels_.back().has_module = t.levels_.back().has_module || *field == Field::module;
      continue;
    }
    // Literal text may hold level separators: each '/' starts a new level.
    std::string_view rest = piece.text;
    for (;;) {
      const std::size_t slash = rest.find('/');
      const std::string_view head = rest.substr(0, slash);
      if (!head.empty()) t.levels_.back().pieces.push_back(Piece{Field::text, std::string(head)});
      if (slash == std::string_view::npos) break;
      t.levels_.emplace_back();
      rest.remove_prefix(slash + 1);
    }
  }
  return t;
}

bool TopicTemplate::uses(Field field) const noexcept {
  return std::any_of(levels_.begin(), levels_.end(), [field](const Level& level) {
    return std::any_of(level.pieces.begin(), level.pieces.end(),
                       [field](const Piece& p) { return p.field == field; });
  });
}

bool TopicTemplate::module_shares_a_level() const noexcept {
  return std::any_of(levels_.begin(), levels_.end(), [](const Level& level) {
    return level.has_module && std::any_of(level.pieces.begin(), level.pieces.end(), [](const Piece& p) {
             return p.field == Field::device || p.field == Field::stream;
           });
  });
}

void TopicTemplate::append(std::string& out, std::string_view device, std::string_view module,
                           std::string_view stream) const {
  bool first = true;
  for (const Level& level : levels_) {
    if (level.has_module && module.empty()) continue;
    if (!first) out += '/';
    first = false;
    for (const Piece& piece : level.pieces) {
      switch (piece.field) {
        case Field::text:
          out += piece.text;
          break;
        case Field::device:
          out += device;
          break;
        case Field::module:
          out += module;
          break;
        case Field::stream:
          out += stream;
          break;
      }
    }
  }
}

MqttTargetPlan make_mqtt_target_plan(const Scenario& scenario) {
  MqttTargetPlan plan;
  plan.enabled = scenario.target.kind == "mqtt";
  if (!plan.enabled) return plan;
  // Validation refused a template with an unknown placeholder; the fallback keeps a hand-built
  // scenario running with its text taken literally.
  plan.topic = TopicTemplate::parse(scenario.target.topic).value_or(TopicTemplate{});
  plan.version = scenario.target.protocol == 5 ? mqtt::ProtocolVersion::v5 : mqtt::ProtocolVersion::v3_1_1;
  plan.e2e_sample = scenario.target.e2e_sample;
  if (plan.version == mqtt::ProtocolVersion::v5) {
    // The broker must not send more than a session decodes (MQTT 5.0 3.1.2.11.4).
    mqtt::append_integer_property(plan.connect_properties, mqtt::PropertyId::maximum_packet_size,
                                  static_cast<std::uint32_t>(mqtt::DecodeLimits{}.max_packet_size));
  }
  return plan;
}

bool samples_e2e(const Scenario& scenario, std::uint64_t global_session_index) noexcept {
  const double sample = scenario.target.e2e_sample;
  if (!(sample > 0)) return false;
  if (global_session_index == 0) return true;
  Rng rng{stream_seed(scenario.seed, global_session_index, seed_stream::kE2eSample)};
  return rng.uniform01() < sample;
}

std::uint64_t payload_hash(std::span<const std::uint8_t> payload) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const std::uint8_t b : payload) {
    h ^= b;
    h *= 0x100000001b3ull;
  }
  return h;
}

void stamp_sequence(std::string& payload, std::size_t from, std::uint64_t sequence) noexcept {
  static constexpr char digits[] = "0123456789abcdef";
  const std::size_t end = std::min(payload.size(), from + 16);
  for (std::size_t i = end; i > from; --i) {
    payload[i - 1] = digits[sequence & 0x0F];
    sequence >>= 4;
  }
}

std::optional<Duration> E2eProbe::on_sent(std::uint64_t hash, Duration intended) noexcept {
  std::optional<Duration> pushed_out;
  if (count_ == kCapacity) {
    pushed_out = entries_[0].intended;
    remove(0);
  }
  entries_[count_++] = Entry{hash, intended};
  return pushed_out;
}

std::optional<Duration> E2eProbe::on_delivered(std::uint64_t hash) noexcept {
  for (std::size_t i = 0; i < count_; ++i) {
    if (entries_[i].hash != hash) continue;
    const Duration intended = entries_[i].intended;
    remove(i);
    return intended;
  }
  return std::nullopt;
}

std::size_t E2eProbe::expire(Duration cutoff) noexcept {
  // Entries are in send order, and intended times grow with it within a stream; across streams
  // they may interleave, so every entry is looked at.
  std::size_t removed = 0;
  for (std::size_t i = 0; i < count_;) {
    if (entries_[i].intended < cutoff) {
      remove(i);
      ++removed;
    } else {
      ++i;
    }
  }
  return removed;
}

void E2eProbe::remove(std::size_t i) noexcept {
  std::copy(entries_.begin() + static_cast<std::ptrdiff_t>(i) + 1, entries_.begin() + count_,
            entries_.begin() + static_cast<std::ptrdiff_t>(i));
  --count_;
}

}  // namespace fleetsim::sim
