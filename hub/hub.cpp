#include "hub/hub.hpp"

#include <chrono>
#include <filesystem>
#include <future>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "hub/endpoint.hpp"
#include "hub/handlers.hpp"
#include "hub/hub_context.hpp"
#include "hub/hub_tls.hpp"
#include "hub/server_certificate.hpp"
#include "hub/service/policy_store.hpp"
#include "hub/twin_store.hpp"

namespace fleetsim::hub {

namespace asio = boost::asio;

struct HubRuntime {
  // Concurrency hint 1: exactly one thread runs this context.
  asio::io_context io{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::unique_ptr<Endpoint> endpoint;  // declared after io: destroyed before it
  // With a tier: wakes every kReleaseInterval to send the PUBACKs the D2C bucket refilled for.
  asio::steady_timer release_timer{io};
  std::thread thread;
};

namespace {

// Held PUBACKs leave at most this late: well below any client's PUBACK timeout, and 100
// wake-ups a second cost nothing next to the traffic that fills the queue.
constexpr std::chrono::milliseconds kReleaseInterval{10};

void arm_release(HubRuntime& runtime, HubContext& context) {
  runtime.release_timer.expires_after(kReleaseInterval);
  runtime.release_timer.async_wait([&runtime, &context](const boost::system::error_code& ec) {
    if (ec || runtime.endpoint->stopped()) return;
    if (context.throttle.holding()) release_held_pubacks(context, std::chrono::system_clock::now());
    arm_release(runtime, context);
  });
}

// <data_dir or the default>/policies.json
std::string policies_path(const HubConfig& config) {
  const std::string dir = config.data_dir.empty() ? default_data_dir() : config.data_dir;
  return (std::filesystem::path(dir) / "policies.json").string();
}

}  // namespace

Hub::Hub(HubConfig config)
    : config_(std::move(config)),
      context_(std::make_unique<HubContext>(config_.host_name)),
      tls_(std::make_unique<HubTls>()) {}

Hub::~Hub() {
  stop();
}

void Hub::start() {
  if (runtime_) return;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(config_.bind_address, ec);
  if (ec) throw std::system_error(ec, "invalid hub bind address '" + config_.bind_address + "'");

  if (config_.tier) {
    if (const auto refusal = check_units(*config_.tier, config_.units)) throw std::invalid_argument(*refusal);
  }
  std::optional<tls::TlsContext> tls;
  if (config_.mqtts_port || config_.https_port) {
    tls_->prepare(config_);
    tls = tls_->make_context(config_);
  }
  if (config_.persist_policy_keys && !policies_loaded_) {
    context_->service_api.set_policies(
        service::load_or_store_policies(policies_path(config_), context_->service_api.policies()));
    policies_loaded_ = true;
  }
  // Afresh at every start: full buckets, and no PUBACK held for a session of an earlier run.
  if (config_.tier) {
    context_->throttle.configure(*config_.tier, config_.units, std::chrono::system_clock::now(),
                                 config_.max_held_pubacks);
  } else {
    context_->throttle.disable();
  }
  auto runtime = std::make_unique<HubRuntime>();
  EndpointLimits limits;
  limits.max_packet_size = config_.max_packet_size;
  limits.handshake_timeout = config_.handshake_timeout;
  const ListenerPorts ports{config_.mqtt_port, config_.mqtts_port, config_.http_port, config_.https_port};
  runtime->endpoint =
      std::make_unique<Endpoint>(runtime->io, *context_, address, ports, limits, std::move(tls));
  for (const ListenerKind kind :
       {ListenerKind::mqtt, ListenerKind::mqtts, ListenerKind::http, ListenerKind::https}) {
    ports_[static_cast<std::size_t>(kind)] = runtime->endpoint->port(kind);
  }
  runtime->endpoint->start();
  if (config_.tier) arm_release(*runtime, *context_);
  runtime->work.emplace(runtime->io.get_executor());
  HubRuntime& r = *runtime;
  HubContext& context = *context_;
  runtime->thread = std::thread([&r, &context] {
    // Handlers do not throw by design; should one, count it and keep serving the others.
    for (;;) {
      try {
        r.io.run();
        return;
      } catch (...) {
        bump(context.counters.task_failures);
      }
    }
  });
  runtime_ = std::move(runtime);
}

void Hub::stop() {
  if (!runtime_) return;
  asio::post(runtime_->io, [runtime = runtime_.get()] {
    runtime->endpoint->stop();
    runtime->release_timer.cancel();
  });
  runtime_->work.reset();
  runtime_->thread.join();
  runtime_.reset();
}

std::uint16_t Hub::mqtt_port() const {
  return ports_[static_cast<std::size_t>(ListenerKind::mqtt)];
}

std::uint16_t Hub::mqtts_port() const {
  return ports_[static_cast<std::size_t>(ListenerKind::mqtts)];
}

std::uint16_t Hub::http_port() const {
  return ports_[static_cast<std::size_t>(ListenerKind::http)];
}

std::uint16_t Hub::https_port() const {
  return ports_[static_cast<std::size_t>(ListenerKind::https)];
}

const std::string& Hub::host_name() const {
  return config_.host_name;
}

const std::string& Hub::bind_address() const {
  return config_.bind_address;
}

const std::string& Hub::ca_file() const {
  return tls_->ca_file();
}

template <class Fn>
auto Hub::on_hub_thread(Fn&& fn) {
  if (!runtime_ || runtime_->io.get_executor().running_in_this_thread()) return fn();
  std::packaged_task<decltype(fn())()> task(std::forward<Fn>(fn));
  auto result = task.get_future();
  asio::post(runtime_->io, [&task] { task(); });
  return result.get();
}

void Hub::add_trusted_ca(std::string_view ca_pem) {
  tls_->add_trusted_ca(ca_pem);
  if (!runtime_ || !(config_.mqtts_port || config_.https_port)) return;
  // Built here, off the hub thread (it reads files); only the swap happens there.
  tls::TlsContext context = tls_->make_context(config_);
  on_hub_thread([&] { runtime_->endpoint->set_tls_context(std::move(context)); });
}

bool Hub::add_device(std::string_view device_id, std::string_view primary_key_b64,
                     std::string_view secondary_key_b64) {
  return on_hub_thread([&] {
    return context_->registry.add_device(device_id, primary_key_b64, secondary_key_b64) != nullptr;
  });
}

bool Hub::add_module(std::string_view device_id, std::string_view module_id, std::string_view primary_key_b64,
                     std::string_view secondary_key_b64) {
  return on_hub_thread([&] {
    return context_->registry.add_module(device_id, module_id, primary_key_b64, secondary_key_b64) != nullptr;
  });
}

bool Hub::add_device(std::string_view device_id, const Authentication& authentication) {
  return on_hub_thread([&] { return context_->registry.add_device(device_id, authentication) != nullptr; });
}

bool Hub::add_module(std::string_view device_id, std::string_view module_id,
                     const Authentication& authentication) {
  return on_hub_thread(
      [&] { return context_->registry.add_module(device_id, module_id, authentication) != nullptr; });
}

bool Hub::set_enabled(std::string_view device_id, std::string_view module_id, bool enabled) {
  return on_hub_thread([&] { return context_->registry.set_enabled(device_id, module_id, enabled); });
}

twin::Result Hub::update_desired(std::string_view device_id, std::string_view module_id,
                                 const boost::json::value& patch) {
  return on_hub_thread([&] {
    Identity* identity = context_->registry.find(device_id, module_id);
    if (identity == nullptr) {
      return module_id.empty() ? twin::Result(twin::Error{404, 404001, "Device not found."})
                               : twin::Result(twin::Error{404, 404010, "Module not found."});
    }
    return hub::update_desired(*context_, *identity, patch, std::chrono::system_clock::now());
  });
}

std::optional<boost::json::object> Hub::twin_json(std::string_view device_id, std::string_view module_id) {
  return on_hub_thread([&]() -> std::optional<boost::json::object> {
    Identity* identity = context_->registry.find(device_id, module_id);
    if (identity == nullptr) return std::nullopt;
    return service_twin(*identity);
  });
}

Hub::Stats Hub::stats() const {
  const Counters& c = context_->counters;
  const auto get = [](const std::atomic<std::uint64_t>& v) { return v.load(std::memory_order_relaxed); };
  return Stats{get(c.connections_accepted), get(c.connections_open),   get(c.connects_accepted),
               get(c.connects_refused),     get(c.protocol_errors),    get(c.forbidden_topics),
               get(c.telemetry_received),   get(c.twin_gets),          get(c.reported_patches),
               get(c.desired_pushed),       get(c.keep_alive_expired), get(c.slow_consumers),
               get(c.task_failures),        get(c.sas_expired),        get(c.tls_handshake_failures),
               get(c.http_requests),        get(c.http_refused),       get(c.websocket_upgrades)};
}

std::string Hub::service_connection_string() {
  return on_hub_thread([&] { return context_->service_api.owner_connection_string(config_.host_name); });
}

}  // namespace fleetsim::hub
