// One virtual device or module: its connection and its behaviours.
//
// The connection is one coroutine per attempt (connect, CONNECT, then wait for readability and
// hand packets to this class). Behaviours are not coroutines: they are deadlines the session arms
// in its thread's TimerQueue, and on_deadline() runs whatever is due. A session owns no timer, no
// buffer while idle, no strings: ids, topics and keys are derived from its index when needed, and
// its behaviour state lives in slices of its host's arrays.
//
// Life: waiting_to_open -> connecting -> subscribing -> getting_twin -> ready, then at the end of
// the run draining -> closed. An unexpected end of the connection goes to backoff and connects
// again (seeded delay); a session whose first connection fails is failed for the run.
//
// Connecting is TCP connect, then the TLS handshake (mqtt-tls, mqtt-wss; offering the TLS session
// saved from the previous connection for resumption, and the X.509 certificate with
// fleet.auth = "x509"), then the WebSocket upgrade (mqtt-ws, mqtt-wss), then CONNECT.
//
// SAS renewal: a token lives fleet.sas_ttl. At its expiry minus sas_renewal_margin(ttl) the
// session goes renewing: it starts no new operation, lets what is in flight finish (at most
// half the margin), sends DISCONNECT and connects again at once with a fresh token (no
// backoff); what fell due meanwhile goes out after the reconnect, measured from its intended time.
//
// With the mqtt target (a plain broker, session_mqtt.cpp) there is no twin: subscribing goes
// straight to ready once the SUBACKs are in, and topics come from target.topic.
//
// The service side (session_backend.cpp): sessions that answer direct methods subscribe to
// $iothub/methods/POST/# and answer each call after [methods] delay; the targets of a c2d action
// subscribe to their devicebound topic at QoS 1 and time each message from the send time it
// carries; with a desired action, notifications and acknowledgements are matched with the
// backend's PATCHes (sim/desired_probe.hpp). The state for it is made on first use.
//
// Telemetry flows from the CONNACK on, reported properties from the twin GET answer on. Messages
// that fell due while there was no connection go out once it is back, each measured from its own
// intended time (no coordinated omission); beyond the QoS 1 window they are counted as refused.
//
// Thread safety: none; a session lives on its host's thread for the whole run.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "metrics/operations.hpp"
#include "sim/c2d_ledger.hpp"
#include "sim/desired_probe.hpp"
#include "sim/mqtt_target.hpp"
#include "sim/plan.hpp"
#include "sim/session_requests.hpp"
#include "sim/values.hpp"
#include "transports/iothub/topics.hpp"
#include "transports/mqtt/client.hpp"
#include "transports/mqtt/client_connection.hpp"
#include "transports/stream/stream.hpp"

namespace fleetsim::sim {

class SessionHost;

inline constexpr Duration kRequestTimeout = std::chrono::seconds(10);  // twin $rid and PUBACK
inline constexpr Duration kReconnectBackoffMin = std::chrono::seconds(1);
inline constexpr Duration kReconnectBackoffSpread = std::chrono::seconds(1);  // + uniform [0, this)
inline constexpr std::uint16_t kInflightWindow = 32;                          // QoS 1 PUBLISHes
inline constexpr std::size_t kMaxBufferedDesired = 8;  // notifications waiting for the GET answer
inline constexpr std::size_t kMaxQos0Pending = 8;      // QoS 0 messages waiting for the socket

// How long before its token expires a session renews it: min(ttl / 5, 5 min), so a 1 h token is
// renewed after 55 min (the Node SDK renews 15 min early, the C SDK at 80 %).
Duration sas_renewal_margin(Duration ttl) noexcept;

// The expiry of a SAS token made now: whole Unix seconds, rounded up so that the token lives at
// least ttl, and how long it stays valid from now.
struct SasExpiry {
  std::uint64_t unix_s = 0;
  Duration remaining{0};
};
SasExpiry sas_expiry(Duration ttl);

// Where a session's behaviour state sits in its host's arrays.
struct BehaviourSlices {
  std::uint32_t telemetry_first = 0;
  std::uint32_t reported_first = 0;
  std::uint32_t values_first = 0;
  std::uint16_t telemetry_count = 0;
  std::uint16_t reported_count = 0;
  std::uint16_t values_count = 0;
};

// What a session subscribes to besides twin responses: desired notifications ([desired] on),
// direct method calls ([methods] on, or the targets of a method action), C2D (the targets of a c2d
// action).
struct SessionRoles {
  bool desired = false;
  bool methods = false;
  bool c2d = false;
};

inline constexpr std::size_t kMaxPendingMethods = 16;  // delayed method answers waiting per session

// The service side as a session sees it, made on first use only (most sessions never need it):
// the desired probe of sim/desired_probe.hpp, the method calls waiting for their delay and the
// C2D messages received last (a redelivery counts once, sim/c2d_ledger.hpp).
struct SessionServiceState {
  struct PendingMethod {
    std::string rid;
    Duration due{0};
  };
  explicit SessionServiceState(bool converges) noexcept : desired(converges) {}
  DesiredProbe desired;
  std::vector<PendingMethod> methods;  // at most kMaxPendingMethods
  C2dSeen c2d_seen;
};

class Session {
 public:
  Session(SessionHost& host, std::uint32_t slot, SessionId id, Duration open_at, BehaviourSlices slices,
          SessionRoles roles);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Arms the opening time on the ramp.
  void start();
  // The host's timer reached this session's deadline `intended`; `now` is the actual time.
  void on_deadline(Duration intended, Duration now);
  // End of the run: no new operations; finish at once when nothing is in flight.
  void begin_drain(Duration now);
  // The drain grace is over: what is still in flight timed out.
  void end_drain(Duration now);

  // The backend's PATCH that made desired `version` was sent at `sent` (posted by the actor).
  void expect_desired(std::uint64_t version, Duration sent, Duration now);

  bool finished() const noexcept { return phase_ == Phase::closed || phase_ == Phase::failed; }
  bool failed() const noexcept { return phase_ == Phase::failed; }

 private:
  enum class Phase : std::uint8_t {
    waiting_to_open,
    connecting,    // TCP connect, CONNECT, waiting for CONNACK
    subscribing,   // CONNACK accepted, SUBACKs pending (telemetry may flow)
    getting_twin,  // twin GET pending
    ready,         // everything runs
    renewing,      // SAS token near expiry: no new operations, then reconnect at once
    backoff,       // connection lost, waiting to connect again
    draining,      // end of the run: waiting for answers in flight
    closed,
    failed,  // never connected
  };
  enum class EndReason : std::uint8_t {
    peer_closed,
    transport_error,
    connect_failed,
    connect_timeout,
    refused,
    server_silent,
    protocol_error,
    drained,
    renewal,  // closed on purpose to connect again with a fresh SAS token
  };
  // Tags of the SUBSCRIBE packets.
  static constexpr std::uint32_t kTwinResponseSubscription = 0;
  static constexpr std::uint32_t kDesiredSubscription = 1;
  static constexpr std::uint32_t kE2eSubscription = 2;  // mqtt target: the session's own telemetry
  static constexpr std::uint32_t kMethodsSubscription = 3;
  static constexpr std::uint32_t kC2dSubscription = 4;
  // Tag of a QoS 1 in-flight entry that is a reported patch (mqtt target); any other tag is the
  // [[telemetry]] index of a telemetry message.
  static constexpr std::uint32_t kReportedTag = 0xFFFFFFFF;
  static metrics::Op inflight_op(std::uint32_t tag) noexcept {
    return tag == kReportedTag ? metrics::Op::reported_patch : metrics::Op::telemetry;
  }

  // ---- connection (session_connection.cpp) ----
  void start_connection(Duration intended);
  boost::asio::awaitable<void> connection_task(std::uint32_t attempt);
  bool send_connect();
  // The session's SAS key: the target registry's when the fleet was given keys, else the seed's.
  std::string session_key(std::string_view device, std::string_view module) const;
  bool on_packet(const mqtt::Packet& packet);
  bool on_connack(const mqtt::Connack& connack);
  bool on_suback(const mqtt::Suback& suback);
  bool on_publish(const mqtt::Publish& publish);
  void on_puback(const mqtt::Puback& puback);
  bool subscribe(std::uint32_t tag, std::string_view filter);
  // The handshakes after TCP connect: false when one failed (noted, counted by end_connection).
  boost::asio::awaitable<bool> handshake(std::uint32_t attempt);
  void note_connect_failure(std::string_view step, std::string_view reason);
  // Ends the current connection once, whoever noticed; decides what comes next.
  void end_connection(EndReason reason);
  // SAS renewal: stop new operations, then finish_renewal_if_idle() reconnects.
  void begin_renewal(Duration now);
  void finish_renewal_if_idle(Duration now);
  void fail_in_flight(metrics::Outcome outcome);
  // Sends a packet; false when it could not be (refused or broken: the connection then ends
  // through the read side, so the caller only counts).
  mqtt::SendStatus send(const mqtt::Packet& packet);
  void on_flushed(const boost::system::error_code& ec);
  void finish_if_drained();
  void disconnect_and_close();

  // ---- behaviours (session_behaviours.cpp) ----
  void run_due(Duration now);
  void send_due_telemetry(Duration now);
  void send_telemetry(std::uint32_t stream, Duration intended, Duration now);
  void open_reported(Duration t0);
  void send_due_reported(Duration now);
  void expire_requests(Duration now);
  void rearm();
  Duration next_deadline() const;
  bool idle() const noexcept;

  // ---- twin (session_twin.cpp) ----
  bool send_twin_get(Duration now);
  // The $rid of the PATCH, 0 when it was not sent (or went to the mqtt target, which has none).
  std::uint32_t send_reported_patch(std::string_view body, Duration now);
  void on_twin_response(const iothub::ParsedTopic& topic, mqtt::Bytes body, Duration now);
  void on_twin_received(mqtt::Bytes body, Duration now);
  void on_desired(const iothub::ParsedTopic& topic, mqtt::Bytes body, Duration now);
  void acknowledge(const DesiredPatch& patch, Duration now);

  // ---- the service side (session_backend.cpp): methods, C2D, desired correlation ----
  SessionServiceState& service_state();
  bool subscribe_service_topics();
  void on_method_request(const iothub::ParsedTopic& topic, Duration now);
  void send_method_response(std::string_view rid);
  void send_due_method_responses(Duration now);
  void on_c2d(const iothub::ParsedTopic& topic, Duration now);
  void note_desired_received(std::uint64_t version, Duration now);
  void note_ack_sent(std::uint64_t version, std::uint32_t rid, Duration now);
  void note_ack_answered(std::uint32_t rid, int status, Duration now);
  void expire_service(Duration now);
  bool service_idle() const noexcept;
  Duration next_service_deadline() const noexcept;

  // ---- the mqtt target (session_mqtt.cpp): plain topics instead of IoT Hub's ----
  bool mqtt_target() const noexcept;
  void append_mqtt_topic(std::string& out, std::string_view stream);
  bool send_connect_mqtt();
  // After CONNACK: the desired and e2e subscriptions, or ready at once when there are none.
  bool subscribe_mqtt();
  bool subscribe_with_qos(std::uint32_t tag, std::string_view filter, std::uint8_t qos);
  void on_subscribed_mqtt();
  bool on_publish_mqtt(const mqtt::Publish& publish);
  void on_desired_mqtt(mqtt::Bytes body, Duration now);
  bool send_reported_mqtt(std::string_view body, Duration now);
  // e2e (sampled sessions, e2e_ set): stamp and hash a message before it goes, track it once it
  // went, match its delivery.
  std::uint64_t stamp_e2e(std::string& payload, bool generated);
  void on_e2e_sent(std::uint64_t hash, Duration intended, Duration now);
  void on_e2e_delivery(mqtt::Bytes payload, Duration now);
  void expire_e2e(Duration now);

  bool telemetry_active() const noexcept;
  // This session's place in its shard (k of shard_session()): its X.509 identity.
  std::uint64_t shard_position() const noexcept;
  Duration since_open(Duration t) const noexcept { return t - open_at_; }
  void count_failure_to_send(metrics::Op op);

  SessionHost* host_;
  mqtt::ClientConnection<transports::Stream> connection_;
  mqtt::ClientState client_;
  TwinRequests twin_;
  std::vector<std::string> buffered_desired_;             // notifications before the GET answer, bounded
  std::array<Duration, kMaxQos0Pending> qos0_pending_{};  // intended times of unflushed QoS 0
  Duration open_at_;                                      // intended opening on the ramp; behaviour time zero
  Duration attempt_at_{0};                                // intended time of the current connection attempt
  Duration connect_started_{0};                           // actual start of the TCP connect
  Duration reconnect_at_{0};
  Duration retry_get_at_ = Duration::max();
  // Ready phases: when to start renewing the SAS token. Renewing: when to stop waiting for what
  // is in flight.
  Duration renew_at_ = Duration::max();
  std::uint64_t device_index_;
  std::uint64_t desired_version_ = 0;  // highest desired $version seen (GET or notification)
  Rng backoff_rng_;
  std::unique_ptr<E2eProbe> e2e_;  // mqtt target, sessions that measure e2e only
  std::unique_ptr<SessionServiceState> service_;  // made on first use
  transports::TlsSessionPtr tls_session_;  // from the last connection, offered for resumption by the next
  BehaviourSlices slices_;
  std::uint32_t slot_;
  std::uint32_t attempt_ = 0;
  std::uint32_t module_slot_;
  std::uint8_t qos0_pending_count_ = 0;
  Phase phase_ = Phase::waiting_to_open;
  EndReason pending_end_ = EndReason::protocol_error;  // why on_packet asked to stop
  bool desired_subscriber_;
  bool methods_subscriber_;
  bool c2d_subscriber_;
  bool live_ = false;       // a connection task is running for attempt_
  bool connected_ = false;  // CONNACK accepted on the current connection
  bool ever_connected_ = false;
};

}  // namespace fleetsim::sim
