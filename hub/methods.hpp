// Direct method calls in flight (reference 2.10, 3.6): the hub's side of
// `$iothub/methods/POST/{name}/?$rid={rid}` and `$iothub/methods/res/{status}/?$rid={rid}`.
//
// A call is published to the identity's session when it is connected and subscribed to
// `$iothub/methods/POST/#`; with a connect timeout it may first wait for that. The caller's REST
// answer is deferred on its RestWaiter until the device answers (200 {"status","payload"}), the
// deadline passes (504 504101, or 404 404103 if the device never came), or the session the
// request went to closes (404 404103 at once). The hub picks the $rid: a counter, in hex, which
// is also the call's key. A response is taken only from the session the request went to.
//
// Memory: one entry per call in flight; nothing per identity.
//
// Thread safety: none; the hub thread only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hub/rest_waiter.hpp"
#include "twin/document.hpp"

namespace fleetsim::hub {

struct HubContext;
struct Identity;
struct SessionState;

struct MethodInvocation {
  std::string_view method_name;  // valid per 2.10 (is_valid_method_name)
  std::string_view payload;      // JSON text: "null" for a null payload
  std::chrono::seconds response_timeout{30};
  std::chrono::seconds connect_timeout{0};
};

// Printable US-ASCII without the separators of reference 2.10, not empty.
bool is_valid_method_name(std::string_view name) noexcept;

class MethodCalls final : public RestDeferrer {
 public:
  using Clock = RestWaiter::Clock;

  explicit MethodCalls(HubContext& hub) : hub_(hub) {}
  MethodCalls(const MethodCalls&) = delete;
  MethodCalls& operator=(const MethodCalls&) = delete;

  enum class Started {
    sent,                // published to the identity's session; the waiter is deferred
    waiting_for_device,  // not reachable yet; deferred until it subscribes or connect_timeout passes
    offline,             // not reachable and no connect timeout: nothing deferred, answer 404103
  };
  Started start(Identity& identity, const MethodInvocation& call, RestWaiter& waiter);

  // `session` (connected) is now subscribed to methods: the calls waiting for its identity are
  // appended to `out` (after the SUBACK it holds) and wait for their answers from now on.
  void session_subscribed(const SessionState& session, std::vector<std::uint8_t>& out);
  // A method response from `session`: answers the call with that $rid. Unknown rids, rids that
  // are not the hub's, and responses from another session are ignored.
  void device_answered(const SessionState& session, std::string_view rid, int status,
                       std::span<const std::uint8_t> payload);
  // `session` closes: its calls are answered 404103 now rather than at their deadline.
  void session_closed(const SessionState& session, twin::Timestamp now);

  std::size_t size() const noexcept { return calls_.size(); }

  // RestDeferrer
  void deadline_passed(std::uint64_t key, RestWaiter& waiter, twin::Timestamp now) override;
  void abandoned(std::uint64_t key) override;

 private:
  struct Pending {
    RestWaiter* waiter = nullptr;
    const SessionState* session = nullptr;  // where the request went; null while waiting for it
    std::chrono::seconds response_timeout{};
    // Only while waiting for the identity: what to send once it subscribes.
    std::string client_id;
    std::string method_name;
    std::string payload;
  };

  void send(std::vector<std::uint8_t>& out, std::uint64_t rid, std::string_view method_name,
            std::string_view payload);
  void answer_offline(Pending& call, std::string_view message, twin::Timestamp now);

  HubContext& hub_;
  std::unordered_map<std::uint64_t, Pending> calls_;
  std::size_t waiting_ = 0;  // calls without a session yet: subscriptions look only when some are
  std::uint64_t last_rid_ = 0;
};

}  // namespace fleetsim::hub
