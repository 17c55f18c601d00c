#include "sim/backend.hpp"

#include <exception>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sim/backend_requests.hpp"

namespace fleetsim::sim {
namespace {

namespace http = transports::http;
using std::chrono::milliseconds;

// The seed stream of action i (second argument of stream_seed), apart from every session's.
constexpr std::uint64_t kBackendSeedBase = std::uint64_t{1} << 62;
constexpr milliseconds kDefaultBackoff{1000};
constexpr Duration kMethodTimeoutMargin = std::chrono::seconds(5);  // beyond the hub's own 504

std::uint64_t latency_ns(Duration from, Duration to) {
  return static_cast<std::uint64_t>(std::max(Duration{0}, to - from).count());
}

metrics::Op op_of(const Backend& spec) {
  if (spec.action == "desired") return metrics::Op::desired_propagation;
  if (spec.action == "method") return metrics::Op::method;
  if (spec.action == "c2d") return metrics::Op::c2d;
  return metrics::Op::query;
}

}  // namespace

struct BackendActor::Action {
  Action(boost::asio::io_context& io, const Backend& spec, std::uint64_t seed)
      : spec(&spec), rng{seed}, value(spec.value, seed ^ 0x5bd1e995u), timer(io) {}
  const Backend* spec;
  Rng rng;
  ValueGenerator value;
  boost::asio::steady_timer timer;
  Duration interval{0};
  Duration paused_until{0};
  std::vector<std::uint32_t> slots;  // module slots `on` selects
};

Duration backend_start_time(const Scenario& scenario, std::uint32_t shard_count, std::uint64_t sessions) {
  const Duration last_open = sessions == 0 ? Duration{0} : open_time(scenario, shard_count, sessions - 1);
  return last_open + kRampSettle;
}

BackendActor::BackendActor(const FleetPlan& plan, http::ServiceEndpoint endpoint, const tls::TlsContext* tls,
                           std::vector<SessionHost*> hosts, Duration start_at)
    : plan_(&plan), endpoint_(std::move(endpoint)), tls_(tls), hosts_(std::move(hosts)), start_at_(start_at) {
  const Scenario& s = *plan.scenario;
  shard_devices_ = shard_device_count(s, plan.shard_index, plan.shard_count);
  for (std::size_t i = 0; i < s.backends.size(); ++i) {
    const Backend& spec = s.backends[i];
    auto action = std::make_unique<Action>(home().io(), spec, stream_seed(s.seed, kBackendSeedBase + i, 0));
    action->interval = Duration{static_cast<Duration::rep>(1e9 / spec.rate_per_s)};
    for (std::uint32_t slot = 0; slot <= s.fleet.modules.size(); ++slot) {
      if (selects(spec.on, s, slot)) action->slots.push_back(slot);
    }
    actions_.push_back(std::move(action));
  }
}

BackendActor::~BackendActor() = default;

void BackendActor::start() {
  started_ = true;
  for (auto& action : actions_) {
    ++schedules_;
    boost::asio::co_spawn(home().io(), schedule(*action), [this](std::exception_ptr) {
      --schedules_;
      check_finished();
    });
  }
}

void BackendActor::begin_drain(Duration) {
  draining_ = true;
  for (auto& action : actions_) action->timer.cancel();
  check_finished();
}

void BackendActor::end_drain(Duration) {
  expired_ = true;
  // Closing a connection ends the request on it at once (its coroutine sees an error).
  for (auto& client : clients_) client->close();
}

void BackendActor::check_finished() {
  if (!finished()) return;
  drained_.store(true, std::memory_order_release);
  home().on_task_finished();
}

boost::asio::awaitable<void> BackendActor::schedule(Action& action) {
  const auto token = boost::asio::as_tuple(boost::asio::use_awaitable);
  Duration next = start_at_;
  while (!draining_) {
    action.timer.expires_after(next - home().now());
    auto [ec] = co_await action.timer.async_wait(token);
    if (ec || draining_) break;
    const Duration now = home().now();
    // The simulator's own health: how late the call goes out compared with its schedule.
    home().metrics().schedule_lag.record(latency_ns(next, now));
    if (next < action.paused_until) {
      next = action.paused_until;  // the hub asked to slow down: calls of the pause are not made
      continue;
    }
    launch(action);
    next += action.interval;
  }
}

void BackendActor::launch(Action& action) {
  const bool targeted = action.spec->action != "query";
  if (targeted && (shard_devices_ == 0 || action.slots.empty())) return;
  Client* client = acquire();
  if (client == nullptr) {
    // Every client is busy: the hub is too slow for the rate; counted, never queued.
    home().metrics().error(metrics::ErrorKind::backend_saturated);
    fail(action, metrics::Outcome::error);
    return;
  }
  const std::uint64_t k = targeted ? draw_target(action) : 0;
  ++in_flight_;
  boost::asio::co_spawn(home().io(), call(action, *client, k), [this, &action, client](std::exception_ptr e) {
    // Routine failures are values; an exception here is a bug or memory exhaustion, counted.
    if (e) fail(action, metrics::Outcome::error);
    release(client);
    --in_flight_;
    check_finished();
  });
}

boost::asio::awaitable<void> BackendActor::call(Action& action, Client& client, std::uint64_t k) {
  const std::string& kind = action.spec->action;
  if (kind == "desired") {
    co_await call_desired(action, client, k);
  } else if (kind == "method") {
    co_await call_method(action, client, k);
  } else if (kind == "c2d") {
    co_await call_c2d(action, client, k);
  } else {
    co_await call_query(action, client);
  }
}

boost::asio::awaitable<void> BackendActor::call_desired(Action& action, Client& client, std::uint64_t k) {
  const Scenario& s = *plan_->scenario;
  const SessionId id = shard_session(s, plan_->shard_index, plan_->shard_count, k);
  const Value value = action.value.next(home().now() - start_at_);
  const http::Request request =
      desired_request(device_id(s, id.device_index), module_id(s, id.module_slot), action.spec->path, value);
  http::Response response;
  const Duration sent = home().now();
  if (!co_await exchange(action, client, request, response, kServiceRequestTimeout)) co_return;
  const auto version = desired_version_of(response.body);
  if (!version) {
    fail(action, metrics::Outcome::error);
    co_return;
  }
  // The session times the rest on its own thread, whichever of the answer and the notification
  // came first.
  hosts_[k % hosts_.size()]->post_desired_expectation(static_cast<std::uint32_t>(k / hosts_.size()), *version,
                                                      sent);
}

boost::asio::awaitable<void> BackendActor::call_method(Action& action, Client& client, std::uint64_t k) {
  const Scenario& s = *plan_->scenario;
  const SessionId id = shard_session(s, plan_->shard_index, plan_->shard_count, k);
  const http::Request request =
      method_request(device_id(s, id.device_index), module_id(s, id.module_slot), *action.spec);
  http::Response response;
  const Duration sent = home().now();
  if (!co_await exchange(action, client, request, response, action.spec->timeout + kMethodTimeoutMargin)) {
    co_return;
  }
  home().metrics().record(metrics::Op::method, metrics::Outcome::ok, latency_ns(sent, home().now()));
}

boost::asio::awaitable<void> BackendActor::call_c2d(Action& action, Client& client, std::uint64_t k) {
  const Scenario& s = *plan_->scenario;
  const SessionId id = shard_session(s, plan_->shard_index, plan_->shard_count, k);
  const Duration sent = home().now();
  const http::Request request = c2d_request(device_id(s, id.device_index), *action.spec, sent, ++c2d_sent_);
  http::Response response;
  if (!co_await exchange(action, client, request, response, kServiceRequestTimeout)) co_return;
  // Accepted: the device times the message when it arrives (session_backend.cpp), and one that
  // never does is counted lost after the run (sim/c2d_ledger.hpp).
  home().counters().c2d.on_accepted(sent);
}

boost::asio::awaitable<void> BackendActor::call_query(Action& action, Client& client) {
  const Duration sent = home().now();
  std::string continuation;
  std::uint64_t pages = 0;
  for (;;) {
    if (expired_) {  // the drain's grace ended between two pages
      fail(action, metrics::Outcome::timeout);
      co_return;
    }
    const http::Request request = query_request(*action.spec, continuation);
    http::Response response;
    if (!co_await exchange(action, client, request, response, kServiceRequestTimeout)) co_return;
    ++pages;
    // The last page has no continuation (reference 3.7).
    if (response.continuation.empty()) break;
    continuation = std::move(response.continuation);
  }
  query_pages_ += pages;
  home().metrics().record(metrics::Op::query, metrics::Outcome::ok, latency_ns(sent, home().now()));
}

boost::asio::awaitable<bool> BackendActor::exchange(Action& action, Client& client, const http::Request& request,
                                                   http::Response& response, Duration timeout) {
  const auto ec = co_await client.send(request, response, std::chrono::duration_cast<milliseconds>(timeout));
  if (ec || expired_) {
    fail(action, transport_outcome(ec));
    co_return false;
  }
  const metrics::Outcome outcome = outcome_of(action.spec->action, response.status);
  if (outcome == metrics::Outcome::ok) co_return true;
  // A desired PATCH the hub refused is a twin the backend could not write.
  if (outcome == metrics::Outcome::error && op_of(*action.spec) == metrics::Op::desired_propagation) {
    home().metrics().error(metrics::ErrorKind::twin_rejected);
  }
  fail(action, outcome, response.retry_after);
  co_return false;
}

void BackendActor::fail(Action& action, metrics::Outcome outcome, milliseconds retry_after) {
  auto& metrics = home().metrics();
  const metrics::Op op = op_of(*action.spec);
  metrics.record(op, outcome, 0);
  // A desired PATCH that failed also never converges.
  if (op == metrics::Op::desired_propagation && plan_->ack != AckMode::none) {
    metrics.record(metrics::Op::desired_convergence, outcome, 0);
  }
  if (outcome == metrics::Outcome::timeout) metrics.error(metrics::ErrorKind::timeout);
  if (outcome == metrics::Outcome::throttled) {
    action.paused_until =
        home().now() + (retry_after.count() > 0 ? Duration{retry_after} : Duration{kDefaultBackoff});
  }
}

metrics::Outcome BackendActor::transport_outcome(const boost::system::error_code& ec) const noexcept {
  if (expired_ || ec == boost::asio::error::timed_out) return metrics::Outcome::timeout;
  return metrics::Outcome::error;
}

std::uint64_t BackendActor::draw_target(Action& action) {
  const std::uint64_t per_device = 1 + plan_->scenario->modules_per_device();
  const std::uint64_t device = action.rng.next() % shard_devices_;
  const std::uint32_t slot = action.slots[action.rng.next() % action.slots.size()];
  return device * per_device + slot;
}

BackendActor::Client* BackendActor::acquire() {
  if (!idle_clients_.empty()) {
    Client* client = idle_clients_.back();
    idle_clients_.pop_back();
    return client;
  }
  if (clients_.size() >= kMaxServiceClients) return nullptr;
  clients_.push_back(std::make_unique<Client>(home().io(), endpoint_, tls_));
  return clients_.back().get();
}

void BackendActor::release(Client* client) {
  idle_clients_.push_back(client);
}

}  // namespace fleetsim::sim
