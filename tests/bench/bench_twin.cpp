// twin::Document on the hub's hot path: one reported patch per device notification, and the
// validation of a service-sized patch. Global operator new is replaced to count allocations, so
// the report shows allocations per operation and the heap a twin keeps.
#include <malloc.h>

#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>

#include <benchmark/benchmark.h>
#include <boost/json/parse.hpp>

#include "twin/document.hpp"

namespace {

std::size_t allocations = 0;
std::size_t live_bytes = 0;

}  // namespace

void* operator new(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  ++allocations;
  live_bytes += malloc_usable_size(p);
  return p;
}

void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  live_bytes -= malloc_usable_size(p);
  std::free(p);
}

void operator delete(void* p, std::size_t) noexcept {
  operator delete(p);
}

namespace {

using fleetsim::twin::Document;
using fleetsim::twin::Section;
using fleetsim::twin::Timestamp;

constexpr const char* ten_properties = R"({
  "temperature": 21.5, "humidity": 40, "battery": 87, "fw": "1.4.2", "online": true,
  "location": {"lat": 48.1, "lon": 11.6}, "rssi": -61, "mode": "eco", "uptime_s": 123456,
  "errors": [0, 0, 1]})";

Timestamp tick(Timestamp t) {
  return t + std::chrono::milliseconds(1);
}

// The hub's reported PATCH: one small property into a twin holding about ten.
void BM_ReportedPatchSmallProperty(benchmark::State& state) {
  Document doc;
  Timestamp now{};
  if (!doc.patch(Section::reported, boost::json::parse(ten_properties), now)) state.SkipWithError("setup");
  boost::json::value patch = boost::json::parse(R"({"temperature": 21.5})");
  double temperature = 21.5;
  const std::size_t allocations_before = allocations;
  for (auto _ : state) {
    temperature += 0.1;
    patch.get_object()["temperature"] = temperature;
    now = tick(now);
    benchmark::DoNotOptimize(doc.patch(Section::reported, patch, now).ok());
  }
  state.counters["allocs_per_patch"] =
      static_cast<double>(allocations - allocations_before) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ReportedPatchSmallProperty);

// The same with the MQTT payload parsed first, as the hub receives it.
void BM_ReportedPatchParsedPayload(benchmark::State& state) {
  Document doc;
  Timestamp now{};
  if (!doc.patch(Section::reported, boost::json::parse(ten_properties), now)) state.SkipWithError("setup");
  const std::string payload = R"({"temperature": 22.25, "battery": 86})";
  for (auto _ : state) {
    now = tick(now);
    benchmark::DoNotOptimize(doc.patch(Section::reported, boost::json::parse(payload), now).ok());
  }
}
BENCHMARK(BM_ReportedPatchParsedPayload);

// About 1 KB of desired properties: nested objects, arrays, strings and numbers.
boost::json::value one_kilobyte_patch() {
  boost::json::object patch;
  for (int i = 0; i < 8; ++i) {
    boost::json::object component;
    component["__t"] = "c";
    component["setpoint"] = 20.5 + i;
    component["schedule"] = boost::json::array{"06:00", "22:00", 7, 23};
    component["label"] = std::string(40, static_cast<char>('a' + i));
    component["limits"] = boost::json::object{{"min", -10}, {"max", 45}, {"enabled", true}};
    patch[std::string("component") + std::to_string(i)] = std::move(component);
  }
  return patch;
}

void BM_Validate1KBPatch(benchmark::State& state) {
  const boost::json::value patch = one_kilobyte_patch();
  for (auto _ : state) {
    benchmark::DoNotOptimize(fleetsim::twin::validate(Section::desired, patch).ok());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * 1024);
}
BENCHMARK(BM_Validate1KBPatch);

// Heap a twin keeps with ten reported properties (plus sizeof(Document) inline).
void BM_TwinFootprint(benchmark::State& state) {
  for (auto _ : state) {
    const std::size_t before = live_bytes;
    auto doc = std::make_unique<Document>();
    benchmark::DoNotOptimize(
        doc->patch(Section::reported, boost::json::parse(ten_properties), Timestamp{}).ok());
    state.counters["bytes_per_twin"] = static_cast<double>(live_bytes - before);
  }
  state.counters["sizeof_document"] = sizeof(Document);
}
BENCHMARK(BM_TwinFootprint);

}  // namespace

BENCHMARK_MAIN();
