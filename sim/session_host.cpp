#include "sim/session_host.hpp"

#include <boost/asio/post.hpp>

namespace fleetsim::sim {

void FleetCounters::on_connected() noexcept {
  const std::int64_t now = connected_now.fetch_add(1, std::memory_order_relaxed) + 1;
  std::int64_t peak = connected_peak.load(std::memory_order_relaxed);
  while (now > peak && !connected_peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
}

void FleetCounters::on_first_connect(std::int64_t started_ns, std::int64_t connack_ns) noexcept {
  std::int64_t first = ramp_first_start_ns.load(std::memory_order_relaxed);
  while (started_ns < first &&
         !ramp_first_start_ns.compare_exchange_weak(first, started_ns, std::memory_order_relaxed)) {
  }
  std::int64_t last = ramp_last_connack_ns.load(std::memory_order_relaxed);
  while (connack_ns > last && !ramp_last_connack_ns.compare_exchange_weak(last, connack_ns, std::memory_order_relaxed)) {
  }
}

void FleetCounters::note_connect_failure(std::string text) {
  bool expected = false;
  if (failure_noted_.compare_exchange_strong(expected, true, std::memory_order_relaxed)) {
    first_failure_ = std::move(text);
  }
}

SessionHost::SessionHost(const FleetPlan& plan, ConnectTarget target, metrics::ThreadMetrics& metrics,
                         FleetCounters& counters, Duration drain_grace)
    : plan_(&plan),
      target_(std::move(target)),
      metrics_(&metrics),
      counters_(&counters),
      drain_grace_(drain_grace),
      work_(io_.get_executor()),
      timer_(io_) {
  for (const Backend& b : plan.scenario->backends) {
    backend_desired_ = backend_desired_ || b.action == "desired";
  }
}

void SessionHost::post_desired_expectation(std::uint32_t slot, std::uint64_t version, Duration sent) {
  boost::asio::post(io_, [this, slot, version, sent] {
    if (slot < sessions_.size()) sessions_[slot].expect_desired(version, sent, now());
  });
}

void SessionHost::add_session(std::uint64_t k) {
  const Scenario& s = scenario();
  const SessionId id = shard_session(s, plan_->shard_index, plan_->shard_count, k);
  const std::uint64_t global = global_session_index(s, id);
  const Duration open_at = open_time(s, plan_->shard_count, k);

  BehaviourSlices slices;
  slices.telemetry_first = static_cast<std::uint32_t>(telemetry_.size());
  bool uses_values = false;
  for (std::uint32_t i = 0; i < s.telemetry.size(); ++i) {
    if (!selects(s.telemetry[i].on, s, id.module_slot)) continue;
    telemetry_.emplace_back(s.telemetry[i], i, open_at,
                            stream_seed(s.seed, global, seed_stream::kTelemetry + i));
    uses_values = uses_values || plan_->telemetry[i].uses_values;
  }
  slices.telemetry_count = static_cast<std::uint16_t>(telemetry_.size() - slices.telemetry_first);

  slices.reported_first = static_cast<std::uint32_t>(reported_.size());
  for (std::uint32_t i = 0; i < s.reported.size(); ++i) {
    if (!selects(s.reported[i].on, s, id.module_slot)) continue;
    reported_.emplace_back(plan_->reported[i], i, stream_seed(s.seed, global, seed_stream::kReported + i));
  }
  slices.reported_count = static_cast<std::uint16_t>(reported_.size() - slices.reported_first);

  // Payload templates draw from per-session generators of every [[values]] entry.
  slices.values_first = static_cast<std::uint32_t>(values_.size());
  if (uses_values) {
    for (std::uint32_t i = 0; i < s.values.size(); ++i) {
      values_.emplace_back(s.values[i].value, stream_seed(s.seed, global, seed_stream::kValues + i));
    }
  }
  slices.values_count = static_cast<std::uint16_t>(values_.size() - slices.values_first);

  SessionRoles roles;
  roles.desired = s.desired.enabled && selects(s.desired.on, s, id.module_slot);
  // Without [methods], the targets of a method action still answer, with its defaults.
  roles.methods = s.methods.enabled && selects(s.methods.on, s, id.module_slot);
  for (const Backend& b : s.backends) {
    const bool targets = selects(b.on, s, id.module_slot);
    if (b.action == "method" && !s.methods.enabled) roles.methods = roles.methods || targets;
    if (b.action == "c2d") roles.c2d = roles.c2d || (!id.is_module() && targets);
  }
  sessions_.emplace_back(*this, static_cast<std::uint32_t>(sessions_.size()), id, open_at, slices, roles);
}

void SessionHost::run(std::chrono::steady_clock::time_point epoch) {
  epoch_ = epoch;
  queue_ = TimerQueue(sessions_.size() + 1);  // one slot per session, one for the drain grace
  for (Session& session : sessions_) session.start();
  for (HostTask* task : tasks_) task->start();
  io_.run();
  done_.store(true, std::memory_order_release);
}

void SessionHost::request_drain() {
  boost::asio::post(io_, [this] { begin_drain(); });
}

void SessionHost::request_task_drain() {
  boost::asio::post(io_, [this] {
    const Duration now = this->now();
    for (HostTask* task : tasks_) task->begin_drain(now);
  });
}

void SessionHost::request_task_expiry() {
  boost::asio::post(io_, [this] {
    const Duration now = this->now();
    for (HostTask* task : tasks_) task->end_drain(now);
  });
}

void SessionHost::arm(std::uint32_t slot, Duration deadline) {
  if (queue_.arm(slot, deadline)) schedule_timer();
}

void SessionHost::schedule_timer() {
  if (stopped_) return;
  const auto next = queue_.next_deadline();
  if (!next || (timer_waiting_ && timer_at_ <= *next)) return;
  timer_at_ = *next;
  timer_waiting_ = true;
  // Re-arming cancels the wait in progress; its handler then sees operation_aborted.
  timer_.expires_at(epoch_ + *next);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) on_timer();
  });
}

void SessionHost::on_timer() {
  timer_waiting_ = false;
  const Duration now = this->now();
  queue_.dispatch_due(now, [&](std::uint32_t slot, Duration deadline) {
    if (slot == host_slot()) {
      end_drain();
    } else {
      sessions_[slot].on_deadline(deadline, now);
    }
  });
  schedule_timer();
}

void SessionHost::begin_drain() {
  if (draining_) return;
  draining_ = true;
  const Duration now = this->now();
  for (Session& session : sessions_) session.begin_drain(now);
  for (HostTask* task : tasks_) task->begin_drain(now);
  arm(host_slot(), now + drain_grace_);
  stop_if_finished();
}

void SessionHost::end_drain() {
  const Duration now = this->now();
  for (Session& session : sessions_) session.end_drain(now);
  for (HostTask* task : tasks_) task->end_drain(now);
  stop_if_finished();
}

void SessionHost::on_session_finished() {
  ++finished_;
  stop_if_finished();
}

void SessionHost::stop_if_finished() {
  if (!draining_ || stopped_ || finished_ < sessions_.size()) return;
  for (const HostTask* task : tasks_) {
    if (!task->finished()) return;
  }
  // Every connection is closed; the coroutines still unwinding (operation_aborted) keep run()
  // going until they are done, then it returns.
  stopped_ = true;
  timer_.cancel();
  queue_.clear();
  work_.reset();
}

}  // namespace fleetsim::sim
