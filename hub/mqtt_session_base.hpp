// What the endpoint keeps of every MQTT session, whatever its transport: the link in the
// endpoint's session list, the last time the client was heard from, and the resources all
// sessions and connections of the hub thread share (one read buffer, one answer buffer).
//
// Thread safety: none; the hub thread only.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <boost/intrusive/list.hpp>

#include "hub/connection.hpp"
#include "hub/handlers.hpp"
#include "hub/hub_context.hpp"
#include "transports/mqtt/codec.hpp"

namespace fleetsim::hub {

struct EndpointLimits {
  std::size_t max_packet_size = 256 * 1024 + 4096;
  // A session whose unsent output grows past this is too slow to keep: it is closed rather than
  // buffered without bound (DESIGN.md, "queues are bounded").
  std::size_t max_pending_output = 1024 * 1024;
  // Silence allowed before CONNECT; after it, 1.5 x keep-alive capped at 1767 s (reference 2.4).
  std::chrono::milliseconds connect_timeout{10'000};
  // A TLS server handshake, and an HTTP request from its first byte, must complete within this.
  std::chrono::milliseconds handshake_timeout{10'000};
  // An HTTP keep-alive connection may wait this long for its next request.
  std::chrono::milliseconds http_idle_timeout{60'000};
  std::size_t max_http_head = 8 * 1024;
  std::size_t max_http_body = 1024 * 1024;
};

// Shared by every session and connection of one hub thread. Sessions read into `read_buffer` and
// decode there in place, so an idle session holds no read buffer at all; only a trailing partial
// packet is copied into the session.
struct EndpointShared {
  EndpointShared(HubContext& context, EndpointLimits endpoint_limits)
      : hub(context), limits(endpoint_limits), decode_limits{endpoint_limits.max_packet_size} {}

  HubContext& hub;
  EndpointLimits limits;
  mqtt::DecodeLimits decode_limits;
  std::array<std::uint8_t, 64 * 1024> read_buffer{};
  Output answers;  // replies to the packets of one read, sent together
};

using SessionHook =
    boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

class SessionBase : public Connection, public SessionHook {
 public:
  using Clock = std::chrono::steady_clock;

  explicit SessionBase(Clock::time_point now) : last_heard_(now) {}
  virtual ~SessionBase() = default;

  // Once a second over all sessions (instead of timers per session): closes the session if the
  // client has been silent longer than allowed, or if its SAS token has expired.
  void sweep(HubContext& hub, Clock::time_point now, twin::Timestamp wall_now, const EndpointLimits& limits) {
    if (now - last_heard_ > allowed_silence(limits)) {
      expire();
    } else if (check_sas_lifetime(hub, session(), wall_now) == Verdict::close) {
      close();
    }
  }

 protected:
  void heard_from(Clock::time_point now) noexcept { last_heard_ = now; }
  // Closes for silence; counted apart from other closes.
  virtual void expire() = 0;

 private:
  std::chrono::milliseconds allowed_silence(const EndpointLimits& limits) const noexcept {
    constexpr std::chrono::milliseconds cap{1'767'000};
    if (!session().connected()) return limits.connect_timeout;
    if (session().keep_alive_s == 0) return cap;
    return std::min(cap, std::chrono::milliseconds(session().keep_alive_s * 1500));
  }

  Clock::time_point last_heard_;
};

using SessionList = boost::intrusive::list<SessionBase, boost::intrusive::constant_time_size<false>>;

}  // namespace fleetsim::hub
