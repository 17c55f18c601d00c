// Session life cycle: the deadline it arms, what runs when it fires, and the drain at the end.
#include "sim/session.hpp"

#include <algorithm>

#include "sim/session_host.hpp"

namespace fleetsim::sim {

Session::Session(SessionHost& host, std::uint32_t slot, SessionId id, Duration open_at,
                 BehaviourSlices slices, SessionRoles roles)
    : host_(&host),
      connection_(host.io()),
      client_(mqtt::ClientConfig{host.scenario().fleet.keep_alive, kRequestTimeout, kInflightWindow}),
      open_at_(open_at),
      device_index_(id.device_index),
      backoff_rng_{stream_seed(host.scenario().seed, global_session_index(host.scenario(), id),
                               seed_stream::kReconnect)},
      slices_(slices),
      slot_(slot),
      module_slot_(id.module_slot),
      desired_subscriber_(roles.desired),
      methods_subscriber_(roles.methods),
      c2d_subscriber_(roles.c2d) {}

void Session::start() {
  phase_ = Phase::waiting_to_open;
  host_->arm(slot_, open_at_);
}

bool Session::telemetry_active() const noexcept {
  return phase_ == Phase::subscribing || phase_ == Phase::getting_twin || phase_ == Phase::ready;
}

bool Session::idle() const noexcept {
  return client_.inflight() == 0 && twin_.empty() && qos0_pending_count_ == 0 && service_idle();
}

Duration Session::next_deadline() const {
  Duration next = Duration::max();
  switch (phase_) {
    case Phase::waiting_to_open:
      return open_at_;
    case Phase::backoff:
      return reconnect_at_;
    case Phase::connecting:
      return connect_started_ + kRequestTimeout;
    case Phase::closed:
    case Phase::failed:
      return Duration::max();
    case Phase::subscribing:
    case Phase::getting_twin:
    case Phase::ready:
    case Phase::renewing:
    case Phase::draining:
      break;
  }
  if (phase_ != Phase::draining) next = std::min(next, renew_at_);
  if (const auto t = client_.keep_alive_deadline()) next = std::min(next, *t);
  if (const auto t = client_.oldest_inflight()) next = std::min(next, *t + kRequestTimeout);
  if (const auto t = twin_.oldest()) next = std::min(next, *t + kRequestTimeout);
  next = std::min(next, retry_get_at_);
  next = std::min(next, next_service_deadline());
  if (telemetry_active()) {
    for (const TelemetrySchedule& t : host_->telemetry(slices_)) next = std::min(next, t.next());
  }
  if (phase_ == Phase::ready) {
    for (const ReportedState& r : host_->reported(slices_)) {
      next = std::min(next, open_at_ + r.observer.next_deadline());
    }
  }
  return next;
}

void Session::rearm() {
  const Duration next = next_deadline();
  if (next == Duration::max()) {
    host_->disarm(slot_);
  } else {
    host_->arm(slot_, next);
  }
}

void Session::on_deadline(Duration intended, Duration now) {
  // The simulator's own health: how late the thread got to what it meant to do.
  host_->metrics().schedule_lag.record(
      static_cast<std::uint64_t>(std::max(Duration{0}, now - intended).count()));
  switch (phase_) {
    case Phase::waiting_to_open:
      if (now >= open_at_) start_connection(open_at_);
      break;
    case Phase::backoff:
      if (now >= reconnect_at_) start_connection(reconnect_at_);
      break;
    case Phase::connecting:
      if (now >= connect_started_ + kRequestTimeout) end_connection(EndReason::connect_timeout);
      break;
    case Phase::subscribing:
    case Phase::getting_twin:
    case Phase::ready:
      if (now >= renew_at_) {
        begin_renewal(now);
        break;
      }
      run_due(now);
      break;
    case Phase::renewing:
    case Phase::draining:
      run_due(now);
      break;
    case Phase::closed:
    case Phase::failed:
      break;
  }
  rearm();
}

void Session::begin_drain(Duration now) {
  switch (phase_) {
    case Phase::waiting_to_open:
    case Phase::backoff:
      phase_ = Phase::closed;
      host_->disarm(slot_);
      host_->on_session_finished();
      return;
    case Phase::connecting:
      end_connection(EndReason::drained);
      return;
    case Phase::subscribing:
    case Phase::getting_twin:
    case Phase::ready:
    case Phase::renewing:
      phase_ = Phase::draining;
      retry_get_at_ = Duration::max();
      finish_if_drained();
      if (phase_ == Phase::draining) {
        expire_requests(now);
        rearm();
      }
      return;
    case Phase::draining:
    case Phase::closed:
    case Phase::failed:
      return;
  }
}

void Session::end_drain(Duration) {
  if (service_) expire_service(Duration::max());
  if (phase_ != Phase::draining) return;
  fail_in_flight(metrics::Outcome::timeout);
  disconnect_and_close();
}

void Session::finish_if_drained() {
  if (phase_ == Phase::draining && idle()) disconnect_and_close();
}

void Session::disconnect_and_close() {
  if (connection_.send(mqtt::Packet{mqtt::Disconnect{}}, host_->buffers()) == mqtt::SendStatus::written) {
    client_.on_disconnect_sent(host_->now());
  }
  end_connection(EndReason::drained);
}

}  // namespace fleetsim::sim
