// The MQTT client session (3.1.1 and 5.0) without I/O: what a client must remember between
// packets.
//
// ClientState owns no socket, timer or clock. The caller reports what it sent and received, with
// the time (`now`, any monotonic epoch the caller picks), and asks what is due: the CONNECT/CONNACK
// flow, packet ids, a bounded QoS 1 in-flight table (packet id -> caller's tag and intended send
// time), SUBSCRIBE/SUBACK bookkeeping and keep-alive. The socket side is ClientConnection
// (client_connection.hpp); unit tests step this class by hand.
//
// Everything is fixed-size: a session of a large fleet carries one of these, so the in-flight
// window is an array, not a map, and a full window refuses instead of growing.
//
// MQTT 5 flow control lives here too: an MQTT 5 CONNACK's Receive Maximum narrows the in-flight
// window to what the server accepts (MQTT-3.3.4-7) and its Server Keep Alive replaces the
// keep-alive the client asked for (MQTT-3.1.2-21); both for that connection only.
//
// Thread safety: none; one ClientState belongs to one session on one thread.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "transports/mqtt/packets.hpp"

namespace fleetsim::mqtt {

using ClientTime = std::chrono::nanoseconds;

struct ClientConfig {
  // 0 disables keep-alive (MQTT 3.1.1 section 3.1.2.10).
  std::chrono::nanoseconds keep_alive{std::chrono::seconds(60)};
  // How long a PINGREQ may stay unanswered before the server counts as gone.
  std::chrono::nanoseconds ping_timeout{std::chrono::seconds(10)};
  // QoS 1 window, at most ClientState::kMaxInflight (and at most the server's Receive Maximum).
  std::uint16_t max_inflight = 32;
};

// Where the session is in its connection's life (section 3.1 / 3.2 / 3.14).
enum class ClientPhase : std::uint8_t {
  disconnected,      // no transport, or the transport just closed
  awaiting_connack,  // CONNECT written
  connected,         // CONNACK 0 received
  disconnecting,     // DISCONNECT written: nothing more may be sent
};

enum class ConnackVerdict : std::uint8_t {
  accepted,
  refused,     // a non-zero return code: the server closes the connection
  unexpected,  // CONNACK outside awaiting_connack: a protocol violation (section 3.2)
};

// One unacknowledged QoS 1 PUBLISH.
struct InflightEntry {
  ClientTime intended{0};  // when the message should have gone (latency and timeouts count from it)
  std::uint32_t tag = 0;   // the caller's, returned with the PUBACK
  std::uint16_t packet_id = 0;
};

struct SubackVerdict {
  enum class Status : std::uint8_t {
    granted,         // every filter granted (codes 0..2)
    refused,         // at least one failure (0x80, or any MQTT 5 code from 0x80 up)
    unknown_id,      // no SUBSCRIBE pending under that id
    count_mismatch,  // return codes do not match the filters sent (section 3.9.3)
  };
  Status status = Status::unknown_id;
  std::uint32_t tag = 0;         // the caller's, given to begin_subscribe
  std::uint8_t max_granted = 0;  // highest granted QoS when status == granted
};

enum class KeepAliveAction : std::uint8_t {
  none,
  send_pingreq,   // nothing was sent for keep_alive
  server_silent,  // a PINGREQ went unanswered for ping_timeout: close the connection
};

class ClientState {
 public:
  static constexpr std::size_t kMaxInflight = 32;
  static constexpr std::size_t kMaxPendingSubscribes = 4;

  explicit ClientState(const ClientConfig& config) noexcept;

  ClientPhase phase() const noexcept { return phase_; }
  const ClientConfig& config() const noexcept { return config_; }

  // ---- connection flow ----
  // CONNECT written on a fresh transport (any other phase is reset first: a new connection).
  void on_connect_sent(ClientTime now) noexcept;
  // Reads the MQTT 5 properties of an accepted CONNACK too (a 3.1.1 one has none).
  ConnackVerdict on_connack(const Connack& connack) noexcept;
  void on_disconnect_sent(ClientTime now) noexcept;
  // The transport closed. In-flight entries and pending subscriptions stay until the caller takes
  // them with take_inflight()/clear_subscriptions() (it decides how to count them).
  void on_closed() noexcept;

  // ---- packet ids (section 2.3.1): never 0, wrap after 65535, skip ids still in use ----
  std::uint16_t allocate_packet_id() noexcept;

  // ---- QoS 1 in-flight window ----
  // Reserves a packet id and a slot; nullopt when the window is full (the message is not sent).
  std::optional<std::uint16_t> begin_publish(std::uint32_t tag, ClientTime intended) noexcept;
  // Removes and returns the entry a PUBACK acknowledges; nullopt for an unknown id (for example
  // one that already timed out).
  std::optional<InflightEntry> on_puback(const Puback& puback) noexcept;
  std::size_t inflight() const noexcept { return inflight_count_; }
  bool inflight_full() const noexcept { return inflight_count_ >= inflight_limit_; }
  // The window of this connection: max_inflight, narrowed by an MQTT 5 Receive Maximum.
  std::uint16_t inflight_limit() const noexcept { return inflight_limit_; }
  // Intended time of the oldest entry, for the caller's timeout deadline.
  std::optional<ClientTime> oldest_inflight() const noexcept;
  // Removes every entry intended before `cutoff` and calls fn(entry) for each, in no particular
  // order. Used for timeouts (cutoff = now - timeout) and, with
  // ClientTime::max(), to take everything when a connection ends.
  template <class Fn>
  void expire_inflight(ClientTime cutoff, Fn&& fn) {
    std::size_t i = 0;
    while (i < inflight_count_) {
      if (inflight_[i].intended < cutoff) {
        const InflightEntry e = inflight_[i];
        inflight_[i] = inflight_[--inflight_count_];
        fn(e);
      } else {
        ++i;
      }
    }
  }

  // ---- subscriptions ----
  // Reserves a packet id for a SUBSCRIBE of `filter_count` filters; nullopt when
  // kMaxPendingSubscribes are already waiting for their SUBACK.
  std::optional<std::uint16_t> begin_subscribe(std::uint32_t tag, std::uint8_t filter_count) noexcept;
  SubackVerdict on_suback(const Suback& suback) noexcept;
  std::size_t pending_subscribes() const noexcept { return pending_subscribe_count_; }
  void clear_subscriptions() noexcept { pending_subscribe_count_ = 0; }

  // ---- keep-alive (section 3.1.2.10) ----
  // The keep-alive of this connection: config().keep_alive, or the MQTT 5 Server Keep Alive.
  std::chrono::nanoseconds keep_alive() const noexcept { return keep_alive_; }
  void on_packet_sent(ClientTime now) noexcept { last_sent_ = now; }
  void on_packet_received() noexcept;
  void on_pingreq_sent(ClientTime now) noexcept;
  // The next instant check_keep_alive() may answer something other than none; nullopt when
  // keep-alive is off or the session is not connected.
  std::optional<ClientTime> keep_alive_deadline() const noexcept;
  KeepAliveAction check_keep_alive(ClientTime now) const noexcept;

 private:
  struct PendingSubscribe {
    std::uint32_t tag = 0;
    std::uint16_t packet_id = 0;
    std::uint8_t filter_count = 0;
  };

  bool packet_id_in_use(std::uint16_t id) const noexcept;
  void apply_connack_properties(const Connack& connack) noexcept;

  ClientConfig config_;
  std::chrono::nanoseconds keep_alive_;
  std::array<InflightEntry, kMaxInflight> inflight_{};
  std::array<PendingSubscribe, kMaxPendingSubscribes> pending_subscribes_{};
  ClientTime last_sent_{0};
  ClientTime ping_sent_{0};
  std::uint16_t next_packet_id_ = 1;
  std::uint16_t inflight_limit_ = 0;
  std::uint8_t inflight_count_ = 0;
  std::uint8_t pending_subscribe_count_ = 0;
  ClientPhase phase_ = ClientPhase::disconnected;
  bool ping_outstanding_ = false;
};

}  // namespace fleetsim::mqtt
