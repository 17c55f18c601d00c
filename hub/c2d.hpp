// Cloud-to-device messages (reference 2.7, 3.8): a bounded queue per device, delivered on
// `devices/{d}/messages/devicebound/{bag}` with QoS 1 while the device's session is connected
// and subscribed to `devices/{d}/messages/devicebound/#`.
//
// * In order, up to max_in_flight PUBLISHes awaiting their PUBACK at a time; a PUBACK completes
//   its message. Messages PUBLISHed on a session that closed before acknowledging them are sent
//   again, with DUP set, on the device's next subscribed session.
// * At most max_waiting messages per device (in flight included); expired ones are dropped when
//   met at delivery and by the hub's once-a-second sweep.
// * Memory: queues live in a map keyed by device id, only while they hold messages; a device
//   without messages costs nothing, and deleting a device drops its queue.
//
// Packet ids are the session's own (SessionState::last_packet_id): C2D is the only QoS 1 traffic
// the hub sends.
//
// Thread safety: none; the hub thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "twin/document.hpp"

namespace fleetsim::hub {

struct HubContext;
struct Identity;
struct SessionState;

struct C2dMessage {
  std::string bag;  // the URL-encoded property bag: the topic's tail (append_c2d_property)
  std::string body;
  twin::Timestamp expiry{};
  std::uint16_t packet_id = 0;    // while in flight: its PUBLISH's id on the queue's session
  bool delivered_before = false;  // the next PUBLISH of it is a redelivery: DUP set
};

// Appends `key=value` (both URL-encoded, reference 2.6/2.7) to a property bag, with '&' between
// items.
void append_c2d_property(std::string& bag, std::string_view key, std::string_view value);

// ISO 8601 UTC date and time as IoT Hub headers carry them: "2026-11-23T16:00:00Z", with optional
// fractional seconds and a "Z" or "+hh:mm"/"-hh:mm" offset. nullopt for anything else.
std::optional<twin::Timestamp> parse_iso8601(std::string_view text) noexcept;

class C2dQueues {
 public:
  static constexpr std::size_t max_waiting = 50;               // per device (reference 2.7, 5.3)
  static constexpr std::size_t max_in_flight = 8;              // PUBLISHed, awaiting PUBACK, per device
  static constexpr std::size_t max_message_bytes = 64 * 1024;  // body (reference 2.7, 5.3)

  explicit C2dQueues(HubContext& hub) : hub_(hub), message_ids_(std::random_device{}()) {}
  C2dQueues(const C2dQueues&) = delete;
  C2dQueues& operator=(const C2dQueues&) = delete;

  // Queues `message` for `device` (a device, not a module) and sends it at once when its session
  // can take it. false: the queue holds max_waiting messages already (expired ones not counted).
  bool enqueue(Identity& device, C2dMessage message, twin::Timestamp now);
  // `session` is connected and subscribed to C2D: appends to `out` what its device has waiting,
  // in order, up to max_in_flight unacknowledged.
  void deliver(SessionState& session, twin::Timestamp now, std::vector<std::uint8_t>& out);
  // A PUBACK on `session`: completes the message with that packet id (an unknown id is ignored,
  // like a late acknowledgement) and appends the next ones to `out`.
  void acknowledged(SessionState& session, std::uint16_t packet_id, twin::Timestamp now,
                    std::vector<std::uint8_t>& out);
  // `session` closes: what it did not acknowledge waits for the next session, to go with DUP.
  void session_closed(const SessionState& session);
  // Once a second: drops expired messages, and the queues of devices that no longer exist.
  void sweep(twin::Timestamp now);
  // The device was deleted: its messages go with it.
  void drop(std::string_view device_id);

  // A UUID v4 for a message sent without an id, as IoT Hub's SDKs make them.
  std::string new_message_id();

  // Messages waiting for `device_id` (in flight included).
  std::size_t waiting(std::string_view device_id) const;
  std::size_t queues() const noexcept { return queues_.size(); }

 private:
  struct Queue {
    std::deque<C2dMessage> messages;        // oldest first; the in-flight ones among them
    const SessionState* session = nullptr;  // whose packet ids the in-flight messages carry
  };
  using Map = std::map<std::string, Queue, std::less<>>;

  std::size_t drop_expired(Queue& queue, twin::Timestamp now);
  std::uint16_t next_packet_id(SessionState& session, const Queue& queue) const;

  HubContext& hub_;
  Map queues_;
  std::mt19937_64 message_ids_;  // not the simulation's seeded randomness: ids need only be unique
};

}  // namespace fleetsim::hub
