// What the protocol handlers know of a connection: its session state, its client certificate
// (X.509 identities), and two actions that reach beyond the packet being handled (a desired push,
// closing an older session of the same identity). The MQTT endpoint implements it over a stream;
// unit tests with a recording fake.
//
// Thread safety: none; connections live on the hub thread.
#pragma once

#include <cstdint>

#include "hub/registry.hpp"
#include "transports/mqtt/packets.hpp"

namespace fleetsim::transports {
struct PeerCertificate;
}

namespace fleetsim::hub {

// Subscriptions as bits: a session keeps one byte, not filter strings (reference 2.5 allows a
// fixed set of filters per identity).
enum class Subscription : std::uint8_t {
  twin_response = 1U << 0,  // $iothub/twin/res/#
  desired = 1U << 1,        // $iothub/twin/PATCH/properties/desired/#
  methods = 1U << 2,        // $iothub/methods/POST/#
  c2d = 1U << 3,            // devices/{d}/messages/devicebound/#
  module_inputs = 1U << 4,  // devices/{d}/modules/{m}/# or .../inputs/#
};

struct SessionState {
  Identity* identity = nullptr;  // set once CONNECT is accepted
  std::uint8_t subscriptions = 0;
  std::uint16_t keep_alive_s = 0;
  // The packet id of the hub's last QoS 1 PUBLISH on this session (cloud-to-device, hub/c2d.hpp);
  // beside keep_alive_s, it fits in what was padding.
  std::uint16_t last_packet_id = 0;
  // The SAS token's `se` (Unix seconds) accepted at CONNECT; 0 for X.509 sessions, which do not
  // expire. The hub closes the session once it has passed (reference 1.5).
  std::uint64_t sas_expiry_s = 0;

  bool connected() const noexcept { return identity != nullptr; }
  bool subscribed(Subscription s) const noexcept {
    return (subscriptions & static_cast<std::uint8_t>(s)) != 0;
  }
  void subscribe(Subscription s) noexcept { subscriptions |= static_cast<std::uint8_t>(s); }
  void unsubscribe(Subscription s) noexcept {
    subscriptions &= static_cast<std::uint8_t>(~static_cast<std::uint8_t>(s));
  }
};

class Connection {
 public:
  // Sends complete encoded packets, in order after everything sent before.
  virtual void send(mqtt::Bytes packets) = 0;
  // Drops the connection at once, without a DISCONNECT (MQTT 3.1.1 has none from the server).
  // Implementations call release_identity(). Idempotent.
  virtual void close() = 0;
  // The certificate the client presented in the TLS handshake: false when there is none (plain
  // TCP, or TLS without a client certificate). Read on demand at CONNECT: sessions keep nothing
  // for it.
  virtual bool peer_certificate(transports::PeerCertificate& out) const {
    (void)out;
    return false;
  }

  SessionState& session() noexcept { return session_; }
  const SessionState& session() const noexcept { return session_; }

 protected:
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() = default;

  // Unlinks the identity from this connection, unless a newer connection already took it over.
  void release_identity() noexcept {
    if (session_.identity != nullptr && session_.identity->connection == this) {
      session_.identity->connection = nullptr;
    }
    session_.identity = nullptr;
    session_.subscriptions = 0;
    session_.sas_expiry_s = 0;
  }

 private:
  SessionState session_;
};

}  // namespace fleetsim::hub
