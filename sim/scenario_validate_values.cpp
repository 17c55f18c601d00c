#include "sim/scenario_validate.hpp"

namespace fleetsim::sim::detail {
namespace {

bool any_failed(const LoadContext& cx, const std::string& path,
                std::initializer_list<std::string_view> keys) {
  if (cx.failed(path)) return true;
  for (const auto key : keys) {
    if (cx.failed(join_path(path, key))) return true;
  }
  return false;
}

// How a non-numeric generator reads in "st needs a numeric value ..., but value is ...".
const char* non_numeric_text(const ValueSpec& spec) {
  if (const auto* constant = std::get_if<ConstantGen>(&spec)) {
    return std::holds_alternative<bool>(constant->value) ? "a constant boolean" : "a constant string";
  }
  return std::holds_alternative<ChoiceGen>(spec) ? "a choice with non-numeric values"
                                                 : "a sequence with non-numeric values";
}

// A twin key (reference 4.2): not empty, at most 1 KB, no '$', space, '.', C0 or C1 control.
std::optional<std::string> twin_key_problem(std::string_view key) {
  if (key.empty()) return "an empty segment";
  if (key.size() > 1024) return "a segment longer than 1024 bytes";
  for (std::size_t i = 0; i < key.size(); ++i) {
    const auto c = static_cast<unsigned char>(key[i]);
    if (c == '$') return "'$' (reserved for $version and $metadata)";
    if (c == ' ') return "a space";
    const bool c1 = c == 0xC2 && i + 1 < key.size() && static_cast<unsigned char>(key[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(key[i + 1]) <= 0x9F;
    if (c < 0x20 || c == 0x7F || c1) return "a control character";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> twin_path_problem(std::string_view path) {
  while (true) {
    const auto dot = path.find('.');
    if (auto problem = twin_key_problem(path.substr(0, dot))) return problem;
    if (dot == std::string_view::npos) return std::nullopt;
    path.remove_prefix(dot + 1);
  }
}

void validate_value_spec(LoadContext& cx, const ValueSpec& spec, const std::string& path) {
  if (cx.failed(path)) return;
  if (const auto* walk = std::get_if<RandomWalkGen>(&spec)) {
    if (any_failed(cx, path, {"start", "min", "max"})) return;
    if (walk->min > walk->max) {
      cx.error(cx.value_at(join_path(path, "min")), "min (" + format_number(walk->min) +
                                                        ") must not be greater than max (" +
                                                        format_number(walk->max) + ")");
    } else if (walk->start < walk->min || walk->start > walk->max) {
      cx.error(cx.value_at(join_path(path, "start")),
               "start (" + format_number(walk->start) + ") must be between min (" + format_number(walk->min) +
                   ") and max (" + format_number(walk->max) + ")");
    }
  } else if (const auto* sine = std::get_if<SineGen>(&spec)) {
    if (any_failed(cx, path, {"min", "max"})) return;
    if (!(sine->min < sine->max)) {
      cx.error(
          cx.value_at(join_path(path, "min")),
          "min (" + format_number(sine->min) + ") must be less than max (" + format_number(sine->max) + ")");
    }
  } else if (const auto* choice = std::get_if<ChoiceGen>(&spec)) {
    if (any_failed(cx, path, {"values", "weights"})) return;
    if (!choice->weights.empty() && choice->weights.size() != choice->values.size()) {
      cx.error(cx.value_at(join_path(path, "weights")),
               "weights has " + std::to_string(choice->weights.size()) + " entries but values has " +
                   std::to_string(choice->values.size()) + "; give one weight per value");
    }
  } else if (std::holds_alternative<ReplayGen>(spec)) {
    cx.error(cx.key_at(join_path(path, "kind")),
             "value kind \"replay\": not supported yet (fleetsim 0.1 supports constant, random_walk, sine, "
             "choice, sequence and counter)");
  }
}

void validate_reported(LoadContext& cx, const Reported& rep, const std::string& path) {
  if (!cx.failed(join_path(path, "path"))) {
    if (const auto problem = twin_path_problem(rep.path)) {
      cx.error(cx.value_at(join_path(path, "path")),
               "path \"" + rep.path + "\" has " + *problem + "; twin keys are dot-separated names");
    }
  }

  if (!cx.failed(join_path(path, "value"))) {
    for (const auto* key : {"st", "gt", "lt"}) {
      const auto& threshold = key[0] == 's' ? rep.st : key[0] == 'g' ? rep.gt : rep.lt;
      if (threshold && !is_numeric(rep.value)) {
        cx.error(cx.value_at(join_path(path, key)),
                 std::string(key) +
                     " needs a numeric value (random_walk, sine, counter, or a constant, choice or "
                     "sequence of numbers), but value is " +
                     non_numeric_text(rep.value));
      }
    }
  }

  if (rep.gt && rep.lt && !any_failed(cx, path, {"gt", "lt", "st"})) {
    const double st = rep.st.value_or(0);
    if (!(*rep.lt < *rep.gt)) {
      cx.error(cx.value_at(join_path(path, "lt")),
               "lt (" + format_number(*rep.lt) + ") must be less than gt (" + format_number(*rep.gt) + ")");
    } else if (!(*rep.lt + 2 * st < *rep.gt)) {
      cx.error(cx.value_at(join_path(path, "st")),
               "lt + 2*st must be less than gt (LwM2M): " + format_number(*rep.lt) + " + 2*" +
                   format_number(st) + " = " + format_number(*rep.lt + 2 * st) + " is not less than " +
                   format_number(*rep.gt));
    }
  }

  if (rep.pmax.count() > 0 && rep.pmax < rep.pmin && !any_failed(cx, path, {"pmin", "pmax"})) {
    cx.warning(cx.value_at(join_path(path, "pmax")), "pmax (" + format_duration(rep.pmax) +
                                                         ") is less than pmin (" + format_duration(rep.pmin) +
                                                         "), so it is ignored (LwM2M)");
  }
  validate_value_spec(cx, rep.value, join_path(path, "value"));
}

}  // namespace fleetsim::sim::detail
