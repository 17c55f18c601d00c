#include "transports/mqtt/client.hpp"

#include <algorithm>

#include "transports/mqtt/properties.hpp"

namespace fleetsim::mqtt {

ClientState::ClientState(const ClientConfig& config) noexcept
    : config_(config), keep_alive_(config.keep_alive) {
  config_.max_inflight =
      static_cast<std::uint16_t>(std::min<std::size_t>(config_.max_inflight, kMaxInflight));
  inflight_limit_ = config_.max_inflight;
}

void ClientState::on_connect_sent(ClientTime now) noexcept {
  phase_ = ClientPhase::awaiting_connack;
  last_sent_ = now;
  ping_outstanding_ = false;
  // What an earlier server granted does not carry over to this connection.
  keep_alive_ = config_.keep_alive;
  inflight_limit_ = config_.max_inflight;
}

void ClientState::apply_connack_properties(const Connack& connack) noexcept {
  if (connack.properties.empty()) return;
  if (const auto receive_maximum = find_integer_property(connack.properties, PropertyId::receive_maximum)) {
    // decode() refused 0, so the window keeps at least one slot. Entries beyond the new limit
    // (from before a reconnection) stay until answered or expired.
    inflight_limit_ = static_cast<std::uint16_t>(std::min<std::uint32_t>(inflight_limit_, *receive_maximum));
  }
  if (const auto server_keep_alive =
          find_integer_property(connack.properties, PropertyId::server_keep_alive)) {
    keep_alive_ = std::chrono::seconds(*server_keep_alive);
  }
}

ConnackVerdict ClientState::on_connack(const Connack& connack) noexcept {
  switch (phase_) {
    case ClientPhase::awaiting_connack:
      on_packet_received();
      if (connack.code != ConnackCode::accepted) {
        // Section 3.2.2.3: after a non-zero code the server closes the connection.
        phase_ = ClientPhase::disconnected;
        return ConnackVerdict::refused;
      }
      phase_ = ClientPhase::connected;
      apply_connack_properties(connack);
      return ConnackVerdict::accepted;
    case ClientPhase::disconnected:
    case ClientPhase::connected:
    case ClientPhase::disconnecting:
      return ConnackVerdict::unexpected;
  }
  return ConnackVerdict::unexpected;
}

void ClientState::on_disconnect_sent(ClientTime now) noexcept {
  last_sent_ = now;
  phase_ = ClientPhase::disconnecting;
}

void ClientState::on_closed() noexcept {
  phase_ = ClientPhase::disconnected;
  ping_outstanding_ = false;
}

bool ClientState::packet_id_in_use(std::uint16_t id) const noexcept {
  for (std::size_t i = 0; i < inflight_count_; ++i) {
    if (inflight_[i].packet_id == id) return true;
  }
  for (std::size_t i = 0; i < pending_subscribe_count_; ++i) {
    if (pending_subscribes_[i].packet_id == id) return true;
  }
  return false;
}

std::uint16_t ClientState::allocate_packet_id() noexcept {
  // At most kMaxInflight + kMaxPendingSubscribes ids are in use, so this ends within that many
  // steps.
  for (;;) {
    const std::uint16_t id = next_packet_id_;
    next_packet_id_ = next_packet_id_ == 0xFFFF ? 1 : static_cast<std::uint16_t>(next_packet_id_ + 1);
    if (!packet_id_in_use(id)) return id;
  }
}

std::optional<std::uint16_t> ClientState::begin_publish(std::uint32_t tag, ClientTime intended) noexcept {
  if (inflight_full()) return std::nullopt;
  const std::uint16_t id = allocate_packet_id();
  inflight_[inflight_count_++] = InflightEntry{intended, tag, id};
  return id;
}

std::optional<InflightEntry> ClientState::on_puback(const Puback& puback) noexcept {
  for (std::size_t i = 0; i < inflight_count_; ++i) {
    if (inflight_[i].packet_id == puback.packet_id) {
      const InflightEntry e = inflight_[i];
      inflight_[i] = inflight_[--inflight_count_];
      return e;
    }
  }
  return std::nullopt;
}

std::optional<ClientTime> ClientState::oldest_inflight() const noexcept {
  if (inflight_count_ == 0) return std::nullopt;
  ClientTime oldest = inflight_[0].intended;
  for (std::size_t i = 1; i < inflight_count_; ++i) oldest = std::min(oldest, inflight_[i].intended);
  return oldest;
}

std::optional<std::uint16_t> ClientState::begin_subscribe(std::uint32_t tag,
                                                          std::uint8_t filter_count) noexcept {
  if (pending_subscribe_count_ >= kMaxPendingSubscribes) return std::nullopt;
  const std::uint16_t id = allocate_packet_id();
  pending_subscribes_[pending_subscribe_count_++] = PendingSubscribe{tag, id, filter_count};
  return id;
}

SubackVerdict ClientState::on_suback(const Suback& suback) noexcept {
  for (std::size_t i = 0; i < pending_subscribe_count_; ++i) {
    if (pending_subscribes_[i].packet_id != suback.packet_id) continue;
    const PendingSubscribe pending = pending_subscribes_[i];
    pending_subscribes_[i] = pending_subscribes_[--pending_subscribe_count_];
    SubackVerdict verdict;
    verdict.tag = pending.tag;
    if (suback.return_codes.size() != pending.filter_count) {
      verdict.status = SubackVerdict::Status::count_mismatch;
      return verdict;
    }
    verdict.status = SubackVerdict::Status::granted;
    for (const std::uint8_t code : suback.return_codes) {
      // 3.1.1 fails with 0x80 only; MQTT 5 with every reason code from 0x80 up.
      if (code >= 0x80) {
        verdict.status = SubackVerdict::Status::refused;
      } else {
        verdict.max_granted = std::max(verdict.max_granted, code);
      }
    }
    return verdict;
  }
  return SubackVerdict{};
}

void ClientState::on_packet_received() noexcept {
  // Any packet from the server proves it alive, a PINGRESP included (section 3.13).
  ping_outstanding_ = false;
}

void ClientState::on_pingreq_sent(ClientTime now) noexcept {
  last_sent_ = now;
  ping_sent_ = now;
  ping_outstanding_ = true;
}

std::optional<ClientTime> ClientState::keep_alive_deadline() const noexcept {
  if (phase_ != ClientPhase::connected || keep_alive_.count() <= 0) return std::nullopt;
  if (ping_outstanding_) return ping_sent_ + config_.ping_timeout;
  return last_sent_ + keep_alive_;
}

KeepAliveAction ClientState::check_keep_alive(ClientTime now) const noexcept {
  const auto deadline = keep_alive_deadline();
  if (!deadline || now < *deadline) return KeepAliveAction::none;
  return ping_outstanding_ ? KeepAliveAction::server_silent : KeepAliveAction::send_pingreq;
}

}  // namespace fleetsim::mqtt
