// read_report / parse_report: a report document back into the structures that wrote it.
#include "metrics/report_read.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <boost/json/parse.hpp>

namespace fleetsim::metrics {
namespace {

namespace json = boost::json;

// Reads fields of one object, remembering the first error with its dotted path; later reads after
// an error return defaults, so a parse function reads straight through and checks ok() once.
class Fields {
 public:
  Fields(const json::object* object, std::string path, std::string* error)
      : object_(object), path_(std::move(path)), error_(error) {}

  bool ok() const { return error_->empty(); }

  const json::value* find(std::string_view key) const {
    return object_ == nullptr ? nullptr : object_->if_contains(key);
  }

  const json::object* object(std::string_view key, bool required = true) {
    const json::value* v = find(key);
    if (v == nullptr) {
      if (required) fail(key, "missing (expected an object)");
      return nullptr;
    }
    if (!v->is_object()) {
      fail(key, "expected an object");
      return nullptr;
    }
    return &v->get_object();
  }

  std::string string(std::string_view key, bool required = true) {
    const json::value* v = find(key);
    if (v == nullptr) {
      if (required) fail(key, "missing (expected a string)");
      return {};
    }
    if (!v->is_string()) {
      fail(key, "expected a string");
      return {};
    }
    return std::string(v->get_string());
  }

  double number(std::string_view key, bool required = true) {
    const json::value* v = find(key);
    if (v == nullptr) {
      if (required) fail(key, "missing (expected a number)");
      return 0;
    }
    if (!v->is_number()) {
      fail(key, "expected a number");
      return 0;
    }
    return v->to_number<double>();
  }

  std::uint64_t count(std::string_view key, bool required = true) {
    const json::value* v = find(key);
    if (v == nullptr) {
      if (required) fail(key, "missing (expected a non-negative integer)");
      return 0;
    }
    boost::system::error_code ec;
    const auto n = v->is_number() ? v->to_number<std::uint64_t>(ec) : 0;
    if (!v->is_number() || ec) {
      fail(key, "expected a non-negative integer");
      return 0;
    }
    return n;
  }

  bool boolean(std::string_view key) {
    const json::value* v = find(key);
    if (v == nullptr) return false;
    if (!v->is_bool()) {
      fail(key, "expected true or false");
      return false;
    }
    return v->get_bool();
  }

  // The fields of a member object (an error when it is missing and required).
  Fields sub(std::string_view key, bool required = true) {
    return Fields(object(key, required), child(key), error_);
  }
  bool present() const { return object_ != nullptr; }
  std::string* error_ptr() const { return error_; }
  const json::object* get() const { return object_; }

  std::string child(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  void fail(std::string_view key, const std::string& message) {
    if (error_->empty()) *error_ = child(key) + ": " + message;
  }

 private:
  const json::object* object_;
  std::string path_;
  std::string* error_;
};

std::optional<Histogram> histogram_field(Fields& f, std::string_view key, std::uint64_t expected_count) {
  const std::string text = f.string(key);
  if (!f.ok()) return std::nullopt;
  auto h = Histogram::decode(text);
  if (!h) {
    f.fail(key, "not a valid h1 histogram");
    return std::nullopt;
  }
  if (h->count() != expected_count) {
    f.fail(key, "holds " + std::to_string(h->count()) + " values, expected " +
                    std::to_string(expected_count) + " (the operation's ok count)");
    return std::nullopt;
  }
  return h;
}

struct Counts {
  std::uint64_t ok = 0, errors = 0, timeouts = 0, throttled = 0;
};

// count, ok, errors, timeouts, throttled, with count = the sum of the others.
Counts counts_fields(Fields& f) {
  Counts c{f.count("ok"), f.count("errors"), f.count("timeouts"), f.count("throttled")};
  const std::uint64_t count = f.count("count");
  if (f.ok() && count != c.ok + c.errors + c.timeouts + c.throttled) {
    f.fail("count", "is " + std::to_string(count) + ", expected ok + errors + timeouts + throttled = " +
                        std::to_string(c.ok + c.errors + c.timeouts + c.throttled));
  }
  return c;
}

// A known operation name, or an error naming the field.
bool operation_name(Fields& f, std::string_view name, Op& op) {
  if (op_from_name(name, op)) return true;
  f.fail(name, "unknown operation (written by a newer fleetsim?)");
  return false;
}

void parse_info(Fields& root, ParsedReport& r) {
  Fields run = root.sub("fleetsim");
  r.info.version = run.string("version");
  r.info.scenario = run.string("scenario");
  r.info.target = run.string("target");
  r.info.started_at = run.string("started_at");
  r.info.duration_s = run.number("duration_s");
  r.info.shard = run.string("shard");
  r.info.transport = run.string("transport", false);
  if (run.find("tls_verify") != nullptr) r.info.tls_verify = run.boolean("tls_verify");

  Fields fleet = root.sub("fleet");
  r.info.devices = fleet.count("devices");
  r.info.modules = fleet.count("modules");
  r.info.sessions_connected_peak = fleet.count("sessions_connected_peak");
  r.info.sessions_failed = fleet.count("sessions_failed");
  r.info.connects_per_s = fleet.number("connects_per_s", false);  // added in 0.1: older reports lack it
  if (fleet.find("sas_renewals") != nullptr) r.info.sas_renewals = fleet.count("sas_renewals");
  r.snapshot->sessions_failed = r.info.sessions_failed;

  if (Fields p = root.sub("provisioning", false); p.present()) {
    Provisioning& to = r.info.provisioning.emplace();
    to.created = p.count("created");
    to.existing = p.count("existing");
    to.deleted = p.count("deleted");
    to.throttled = p.count("throttled");
    to.duration_s = p.number("duration_s");
  }

  r.info.interrupted = root.boolean("interrupted");
  r.passed = root.boolean("passed");
}

void parse_operations(Fields& root, ParsedReport& r) {
  Fields ops = root.sub("operations");
  if (!ops.present()) return;
  for (const auto& [key, value] : *ops.get()) {
    Op op{};
    if (!operation_name(ops, key, op)) return;
    Fields f = ops.sub(key);
    const Counts c = counts_fields(f);
    auto& to = r.snapshot->ops[static_cast<std::size_t>(op)];
    to.ok = c.ok;
    to.errors = c.errors;
    to.timeouts = c.timeouts;
    to.throttled = c.throttled;
    if (auto h = histogram_field(f, "histogram", c.ok)) to.latency = *h;
    if (!f.ok()) return;
  }
}

void parse_errors(Fields& root, ParsedReport& r) {
  Fields errors = root.sub("errors");
  for (std::size_t i = 0; i < kErrorKindCount; ++i) {
    r.snapshot->errors[i] = errors.count(error_kind_name(static_cast<ErrorKind>(i)), false);
  }
}

void parse_health(Fields& root, ParsedReport& r) {
  Fields health = root.sub("health");
  Fields lag = health.sub("schedule_lag_ms");
  r.schedule_lag_ms.p50 = lag.number("p50");
  r.schedule_lag_ms.p99 = lag.number("p99");
  r.schedule_lag_ms.max = lag.number("max");
  if (health.find("schedule_lag_histogram") != nullptr) {
    const std::string text = health.string("schedule_lag_histogram");
    if (auto h = Histogram::decode(text)) {
      r.snapshot->schedule_lag = *h;
      r.has_schedule_lag_histogram = true;
    } else if (health.ok()) {
      health.fail("schedule_lag_histogram", "not a valid h1 histogram");
    }
  }
  if (const json::value* notes = health.find("notes")) {
    if (!notes->is_array()) return health.fail("notes", "expected an array of strings");
    for (const auto& n : notes->get_array()) {
      if (!n.is_string()) return health.fail("notes", "expected an array of strings");
      r.info.notes.emplace_back(n.get_string());
    }
  }
}

void parse_gates(Fields& root, ParsedReport& r) {
  const json::value* gates = root.find("gates");
  if (gates == nullptr) return root.fail("gates", "missing (expected an array)");
  if (!gates->is_array()) return root.fail("gates", "expected an array");
  std::size_t i = 0;
  for (const auto& g : gates->get_array()) {
    const std::string path = "gates[" + std::to_string(i++) + "]";
    if (!g.is_object()) return root.fail(path, "expected an object");
    Fields f(&g.get_object(), root.child(path), root.error_ptr());
    GateSpec spec;
    spec.name = f.string("name");
    spec.expr = f.string("expr");
    if (f.find("baseline") != nullptr) spec.baseline = f.number("baseline");
    r.gates.push_back(std::move(spec));
  }
}

void parse_timeline(Fields& root, ParsedReport& r) {
  Fields t = root.sub("timeline", false);
  if (!t.present()) return;
  Timeline timeline;
  timeline.interval_s = t.number("interval_s");
  if (t.ok() && !(timeline.interval_s > 0)) return t.fail("interval_s", "expected a positive number");
  const json::value* points = t.find("points");
  if (points == nullptr) return t.fail("points", "missing (expected an array)");
  if (!points->is_array()) return t.fail("points", "expected an array");
  double previous_t = 0;
  std::size_t i = 0;
  for (const auto& p : points->get_array()) {
    const std::string path = "points[" + std::to_string(i++) + "]";
    if (!p.is_object()) return t.fail(path, "expected an object");
    Fields f(&p.get_object(), t.child(path), t.error_ptr());
    TimelinePoint point;
    point.t_s = f.number("t");
    point.sessions_connected = f.count("sessions_connected", false);
    if (f.ok() && !(point.t_s > previous_t)) return f.fail("t", "expected times increasing from 0");
    previous_t = point.t_s;
    Fields ops = f.sub("operations");
    if (!ops.present()) return;
    for (const auto& [key, value] : *ops.get()) {
      TimelineOperation op;
      if (!operation_name(ops, key, op.op)) return;
      Fields o = ops.sub(key);
      const Counts c = counts_fields(o);
      op.ok = c.ok;
      op.errors = c.errors;
      op.timeouts = c.timeouts;
      op.throttled = c.throttled;
      op.p50_ms = o.number("p50");
      op.p99_ms = o.number("p99");
      if (!histogram_field(o, "histogram", c.ok)) return;
      op.histogram = o.string("histogram");
      point.operations.push_back(std::move(op));
    }
    if (!f.ok()) return;
    timeline.points.push_back(std::move(point));
  }
  r.timeline = std::move(timeline);
}

}  // namespace

std::optional<boost::json::object> read_json_object(const std::string& path, std::string* error) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    *error = path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::string text;
  char buf[65536];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  const bool read_failed = std::ferror(f) != 0;
  std::fclose(f);
  if (read_failed) {
    *error = path + ": read error";
    return std::nullopt;
  }
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) {
    *error = path + ": not valid JSON (" + ec.message() + ")";
    return std::nullopt;
  }
  if (!v.is_object()) {
    *error = path + ": expected a JSON object";
    return std::nullopt;
  }
  return std::move(v.get_object());
}

std::optional<ParsedReport> parse_report(boost::json::object doc, std::string* error) {
  std::string first_error;
  ParsedReport r;
  r.snapshot = std::make_unique<Snapshot>();
  Fields root(&doc, "", &first_error);
  parse_info(root, r);
  parse_operations(root, r);
  parse_errors(root, r);
  parse_health(root, r);
  parse_gates(root, r);
  parse_timeline(root, r);
  if (!first_error.empty()) {
    if (error != nullptr) *error = std::move(first_error);
    return std::nullopt;
  }
  r.doc = std::move(doc);
  return r;
}

std::optional<ParsedReport> read_report(const std::string& path, std::string* error) {
  std::string e;
  auto doc = read_json_object(path, &e);
  if (!doc) {
    if (error != nullptr) *error = std::move(e);
    return std::nullopt;
  }
  auto r = parse_report(std::move(*doc), &e);
  if (!r && error != nullptr) *error = path + ": " + e;
  return r;
}

}  // namespace fleetsim::metrics
