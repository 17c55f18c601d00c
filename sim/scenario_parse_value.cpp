#include "sim/scenario_parse.hpp"
#include "sim/scenario_suggest.hpp"

namespace fleetsim::sim::detail {
namespace {

constexpr std::string_view kKinds[] = {"constant", "random_walk", "sine",  "choice",
                                       "sequence", "counter",     "replay"};

void read_number(TableReader& r, std::string_view key, double& out) {
  if (const auto v = r.number(key)) out = *v;
}

ValueSpec read_kind(TableReader& r, std::string_view kind) {
  if (kind == "constant") {
    ConstantGen gen;
    if (auto v = r.scalar("value"))
      gen.value = std::move(*v);
    else if (!r.get("value"))
      r.missing("value", "constant value");
    return gen;
  }
  if (kind == "random_walk") {
    RandomWalkGen gen;
    read_number(r, "start", gen.start);
    read_number(r, "step", gen.step);
    read_number(r, "min", gen.min);
    read_number(r, "max", gen.max);
    if (gen.step < 0) r.error("step", "step must be at least 0");
    return gen;
  }
  if (kind == "sine") {
    SineGen gen;
    read_number(r, "min", gen.min);
    read_number(r, "max", gen.max);
    if (const auto period = r.duration("period")) {
      if (period->count() > 0)
        gen.period = *period;
      else
        r.error("period", "period must be greater than 0");
    }
    return gen;
  }
  if (kind == "choice") {
    ChoiceGen gen;
    if (auto values = r.scalars("values")) {
      if (values->empty()) r.error("values", "choice needs at least one value");
      gen.values = std::move(*values);
    } else if (!r.get("values")) {
      r.missing("values", "choice value");
    }
    if (auto weights = r.numbers("weights")) {
      for (const double w : *weights) {
        if (!(w > 0)) {
          r.error("weights", "every weight must be greater than 0");
          break;
        }
      }
      gen.weights = std::move(*weights);
    }
    return gen;
  }
  if (kind == "sequence") {
    SequenceGen gen;
    if (auto values = r.scalars("values")) {
      if (values->empty()) r.error("values", "sequence needs at least one value");
      gen.values = std::move(*values);
    } else if (!r.get("values")) {
      r.missing("values", "sequence value");
    }
    if (const auto loop = r.boolean("loop")) gen.loop = *loop;
    return gen;
  }
  if (kind == "counter") {
    CounterGen gen;
    read_number(r, "start", gen.start);
    read_number(r, "step", gen.step);
    return gen;
  }
  ReplayGen gen;
  if (auto file = r.string("file"))
    gen.file = std::move(*file);
  else if (!r.get("file"))
    r.missing("file", "replay value");
  if (const auto loop = r.boolean("loop")) gen.loop = *loop;
  return gen;
}

}  // namespace

std::optional<ValueSpec> parse_value_spec(TableReader& owner, std::string_view key) {
  const toml::node* node = owner.get(key);
  if (node == nullptr) return std::nullopt;
  LoadContext& cx = owner.context();
  const auto* table = node->as_table();
  if (table == nullptr) {
    cx.error(
        cx.pos_of(*node),
        "expected a value generator table like { kind = \"constant\", value = 1 }, found " + describe(*node));
    cx.mark_failed(owner.path(key));
    return std::nullopt;
  }
  TableReader r(cx, *table, owner.path(key));
  const auto kind = r.string("kind");
  if (!kind) {
    r.check_keys(generator_schema());
    if (!r.get("kind")) {
      r.missing("kind", std::string("value (one of ").append(generator_kinds_text()).append(")"));
    }
    cx.mark_failed(owner.path(key));
    return std::nullopt;
  }
  const TableSchema* schema = generator_schema(*kind);
  if (schema == nullptr) {
    std::string message =
        "unknown value kind \"" + *kind + "\"; expected " + std::string(generator_kinds_text());
    if (const auto suggestion = closest(*kind, kKinds)) {
      message.append("; did you mean \"").append(*suggestion).append("\"?");
    }
    r.error("kind", std::move(message));
    r.check_keys(generator_schema());
    cx.mark_failed(owner.path(key));
    return std::nullopt;
  }
  r.check_keys(*schema);
  return read_kind(r, *kind);
}

}  // namespace fleetsim::sim::detail
