// Runtime tests: malformed protobuf, graph validation (cycles, missing inputs, unsupported ops),
// dynamic batch planning, buffer reuse and opset-dependent op forms, on models built in code.
#include <catch.hpp>

#include <cmath>
#include <cstring>
#include <string>

#include "onnx_builder.h"
#include "runtime/model.h"

using namespace wasmq_test;
using wasmq::rt::Model;
using wasmq::onnx::ElemType;
using Catch::Matchers::Contains;

namespace {

constexpr int32_t kF32 = 1, kI64 = 7;

std::string load_error(const std::string& bytes) {
  try {
    load(bytes);
  } catch (const wasmq::Error& e) {
    return e.what();
  }
  return "";
}

std::vector<float> run1(Model& m, const std::vector<int64_t>& dims, const std::vector<float>& x, size_t out = 0) {
  void* p = m.stage_input(0, ElemType::kFloat, dims);
  std::memcpy(p, x.data(), x.size() * 4);
  m.run();
  const auto& y = m.output(out);
  return std::vector<float>(y.as<const float>(), y.as<const float>() + y.numel());
}

std::string relu_model() {
  return model({node("Relu", {"x"}, {"y"})}, {value_info("x", kF32, {-1, 3})}, {value_info("y", kF32, {-1, 3})});
}

}  // namespace

TEST_CASE("malformed protobuf is rejected with a message", "[runtime]") {
  const std::string good = relu_model();
  CHECK_THAT(load_error(""), Contains("empty"));
  CHECK_THAT(load_error(good.substr(0, good.size() / 2)), Contains("past the end"));
  // Every truncation is either a valid shorter message (a cut between top-level fields) or a
  // wasmq::Error; never a crash or another exception type.
  size_t errors = 0;
  for (size_t cut = 1; cut < good.size(); ++cut) {
    try {
      load(good.substr(0, cut));
    } catch (const wasmq::Error&) {
      ++errors;
    }
  }
  CHECK(errors >= good.size() - 4);
  CHECK_THAT(load_error(std::string("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11)), Contains("varint"));
  CHECK_THAT(load_error(std::string("\x0b\x00", 2)), Contains("group"));        // field 1, wire type 3
  CHECK_THAT(load_error(std::string("\x3d\x00\x00\x00\x00", 5)), Contains("wire type"));  // graph as fixed32
  CHECK_THAT(load_error(Pb().varint(1, 8).str()), Contains("no graph"));
}

TEST_CASE("malformed tensors name the tensor", "[runtime]") {
  auto with_init = [](const Pb& t) {
    return model({node("Add", {"x", "w"}, {"y"})}, {value_info("x", kF32, {2})}, {value_info("y", kF32, {2})}, {t});
  };
  Pb neg;
  neg.varint(1, static_cast<uint64_t>(-2)).varint(2, 1).bytes(8, "w").bytes(9, "");
  CHECK_THAT(load_error(with_init(neg)), Contains("'w'") && Contains("negative"));
  Pb huge;
  huge.varint(1, 1u << 30).varint(1, 1u << 30).varint(2, 1).bytes(8, "w");
  CHECK_THAT(load_error(with_init(huge)), Contains("'w'") && Contains("cap"));
  CHECK_THAT(load_error(with_init(tensor_f32("w", {3}, {1, 2}))), Contains("raw_data has 8 bytes"));
  Pb ext;
  ext.varint(1, 2).varint(2, 1).bytes(8, "w").varint(14, 1);
  CHECK_THAT(load_error(with_init(ext)), Contains("external data"));
  Pb str;
  str.varint(1, 1).varint(2, 8).bytes(8, "w");
  CHECK_THAT(load_error(with_init(str)), Contains("string"));
  Pb typed;  // float_data with the wrong count
  typed.varint(1, 2).varint(2, 1).bytes(8, "w").f32(4, 1.0f);
  CHECK_THAT(load_error(with_init(typed)), Contains("float_data has 1 values"));
}

TEST_CASE("graph validation errors name the node", "[runtime]") {
  const auto in = value_info("x", kF32, {2});
  const auto out = value_info("y", kF32, {2});
  CHECK_THAT(load_error(model({node("Relu", {"x"}, {"a"}, {}, "r1"), node("Add", {"a", "b"}, {"y"}, {}, "add1"),
                               node("Relu", {"y"}, {"b"}, {}, "r2")},
                              {in}, {out})),
             Contains("cycle") && (Contains("'add1'") || Contains("'r2'")));
  CHECK_THAT(load_error(model({node("Relu", {"nope"}, {"y"}, {}, "r")}, {in}, {out})), Contains("'r'") && Contains("'nope'"));
  CHECK_THAT(load_error(model({node("Frobnicate", {"x"}, {"y"}, {}, "f")}, {in}, {out})),
             Contains("'f'") && Contains("Frobnicate") && Contains("opset 13"));
  CHECK_THAT(load_error(model({node("Relu", {"x"}, {"z"})}, {in}, {out})), Contains("graph output 'y'"));
  CHECK_THAT(load_error(model({node("Pad", {"x", "p"}, {"y"}, {attr_string("mode", "wrap")}, "pad")}, {in}, {out},
                              {tensor_i64("p", {2}, {1, 1})}, 19)),
             Contains("'pad'") && Contains("wrap"));
  CHECK_THAT(load_error(model({node("Relu", {"x"}, {"y"})}, {in}, {out}, {}, 22)), Contains("opset 22"));
}

TEST_CASE("dynamic batch is resolved at run time and plans are reused", "[runtime]") {
  // x[N,1,3,3] -> Conv(1x1 kernel, weight 2, bias 1) -> Relu -> GlobalAveragePool -> y[N,1,1,1]
  auto m = load(model({node("Conv", {"x", "w", "b"}, {"c"}), node("Relu", {"c"}, {"r"}), node("GlobalAveragePool", {"r"}, {"y"})},
                      {value_info("x", kF32, {-1, 1, 3, 3})}, {value_info("y", kF32, {-1, 1, 1, 1})},
                      {tensor_f32("w", {1, 1, 1, 1}, {2}), tensor_f32("b", {1}, {1})}));
  REQUIRE(m->inputs()[0].dims[0] == -1);
  std::vector<float> x1(9, -1.0f);
  x1[0] = 8;  // relu(2*8+1)=17, others relu(-1)=0 -> mean 17/9
  auto y = run1(*m, {1, 1, 3, 3}, x1);
  REQUIRE(y.size() == 1);
  CHECK(y[0] == Approx(17.0f / 9));
  std::vector<float> x3(27, 1.0f);  // relu(3) everywhere
  y = run1(*m, {3, 1, 3, 3}, x3);
  REQUIRE(y.size() == 3);
  CHECK(y[2] == Approx(3.0f));
  CHECK(m->plan_count() == 2);
  y = run1(*m, {3, 1, 3, 3}, x3);
  CHECK(m->plan_count() == 2);  // same dims: no new plan
  CHECK_THROWS_WITH(m->stage_input(0, ElemType::kFloat, {1, 2, 3, 3}), Contains("'x'") && Contains("dims[1] must be 1"));
  CHECK_THROWS_WITH(m->stage_input(0, ElemType::kInt64, {1, 1, 3, 3}), Contains("'x'") && Contains("float32"));
  CHECK_THROWS_WITH(m->stage_input(0, ElemType::kFloat, {1, 3, 3}), Contains("rank 4"));
}

TEST_CASE("the memory plan reuses buffers of dead values", "[runtime]") {
  std::vector<Pb> nodes;
  std::string prev = "x";
  for (int i = 0; i < 8; ++i) {
    const std::string next = i == 7 ? "y" : "t" + std::to_string(i);
    nodes.push_back(node(i == 7 ? "Relu" : "Neg", {prev}, {next}));
    prev = next;
  }
  auto m = load(model(nodes, {value_info("x", kF32, {256})}, {value_info("y", kF32, {256})}));
  std::vector<float> x(256);
  for (int i = 0; i < 256; ++i) x[i] = static_cast<float>(i - 128);
  const auto y = run1(*m, {256}, x);
  for (int i = 0; i < 256; ++i) REQUIRE(y[i] == std::max(0.0f, static_cast<float>(128 - i)));  // 7 x Neg, then Relu
  CHECK(m->arena_bytes() <= 2 * 1024);  // two live 1 KiB buffers at a time, not eight
}

TEST_CASE("shape computations are folded when the model is planned", "[runtime]") {
  // y = Reshape(x, Concat(Gather(Shape(x), 0), [-1])) : [N, 2, 3] -> [N, 6]
  auto m = load(model({node("Shape", {"x"}, {"s"}), node("Gather", {"s", "zero"}, {"n"}), node("Unsqueeze", {"n", "ax"}, {"n1"}),
                       node("Concat", {"n1", "minus1"}, {"shape"}, {attr_int("axis", 0)}), node("Reshape", {"x", "shape"}, {"y"})},
                      {value_info("x", kF32, {-1, 2, 3})}, {value_info("y", kF32, {-1, 6})},
                      {tensor_i64("zero", {}, {0}), tensor_i64("ax", {1}, {0}), tensor_i64("minus1", {1}, {-1})}));
  std::vector<float> x(12);
  for (int i = 0; i < 12; ++i) x[i] = static_cast<float>(i);
  const auto y = run1(*m, {2, 2, 3}, x);
  CHECK(m->output(0).shape == wasmq::rt::Shape{2, 6});
  CHECK(y == x);
  CHECK(m->num_steps() == 1);  // only the Reshape runs per inference
}

TEST_CASE("opset-dependent forms: Softmax, Slice, ReduceSum, Clip, Unsqueeze", "[runtime]") {
  const std::vector<float> x{1, 2, 3, 4, 5, 6};  // [2, 3]
  SECTION("Softmax opset 11 coerces to 2-D, opset 13 uses one axis") {
    auto m11 = load(model({node("Softmax", {"x"}, {"y"}, {attr_int("axis", 0)})}, {value_info("x", kF32, {2, 3})},
                          {value_info("y", kF32, {2, 3})}, {}, 11));
    auto y = run1(*m11, {2, 3}, x);
    double sum = 0;
    for (float v : y) sum += v;
    CHECK(sum == Approx(1.0));  // one softmax over all 6
    auto m13 = load(model({node("Softmax", {"x"}, {"y"}, {attr_int("axis", 0)})}, {value_info("x", kF32, {2, 3})},
                          {value_info("y", kF32, {2, 3})}, {}, 13));
    y = run1(*m13, {2, 3}, x);
    CHECK(y[0] + y[3] == Approx(1.0f));  // per column
  }
  SECTION("Slice attributes (opset 9) and inputs with a negative step (opset 13)") {
    auto m9 = load(model({node("Slice", {"x"}, {"y"}, {attr_ints("starts", {0, 1}), attr_ints("ends", {1, 3})})},
                         {value_info("x", kF32, {2, 3})}, {value_info("y", kF32, {1, 2})}, {}, 9));
    CHECK(run1(*m9, {2, 3}, x) == std::vector<float>{2, 3});
    auto m13 = load(model({node("Slice", {"x", "s", "e", "a", "st"}, {"y"})}, {value_info("x", kF32, {2, 3})},
                          {value_info("y", kF32, {2, 3})},
                          {tensor_i64("s", {1}, {-1}), tensor_i64("e", {1}, {INT64_MIN}), tensor_i64("a", {1}, {1}), tensor_i64("st", {1}, {-1})}));
    CHECK(run1(*m13, {2, 3}, x) == std::vector<float>{3, 2, 1, 6, 5, 4});
  }
  SECTION("ReduceSum axes attribute (opset 11) and input (opset 13)") {
    auto m11 = load(model({node("ReduceSum", {"x"}, {"y"}, {attr_ints("axes", {1}), attr_int("keepdims", 0)})},
                          {value_info("x", kF32, {2, 3})}, {value_info("y", kF32, {2})}, {}, 11));
    CHECK(run1(*m11, {2, 3}, x) == std::vector<float>{6, 15});
    auto m13 = load(model({node("ReduceSum", {"x", "a"}, {"y"}, {attr_int("keepdims", 0)})}, {value_info("x", kF32, {2, 3})},
                          {value_info("y", kF32, {3})}, {tensor_i64("a", {1}, {0})}, 13));
    CHECK(run1(*m13, {2, 3}, x) == std::vector<float>{5, 7, 9});
  }
  SECTION("Clip attributes (opset 6 style at 10) and inputs (opset 13)") {
    auto m10 = load(model({node("Clip", {"x"}, {"y"}, {attr_float("min", 2), attr_float("max", 4)})}, {value_info("x", kF32, {2, 3})},
                          {value_info("y", kF32, {2, 3})}, {}, 10));
    CHECK(run1(*m10, {2, 3}, x) == std::vector<float>{2, 2, 3, 4, 4, 4});
    auto m13 = load(model({node("Clip", {"x", "", "hi"}, {"y"})}, {value_info("x", kF32, {2, 3})}, {value_info("y", kF32, {2, 3})},
                          {tensor_f32("hi", {}, {3})}, 13));
    CHECK(run1(*m13, {2, 3}, x) == std::vector<float>{1, 2, 3, 3, 3, 3});
  }
  SECTION("Unsqueeze axes attribute (opset 11) and input (opset 13)") {
    auto m11 = load(model({node("Unsqueeze", {"x"}, {"y"}, {attr_ints("axes", {0, 3})})}, {value_info("x", kF32, {2, 3})},
                          {value_info("y", kF32, {1, 2, 3, 1})}, {}, 11));
    run1(*m11, {2, 3}, x);
    CHECK(m11->output(0).shape == wasmq::rt::Shape{1, 2, 3, 1});
    auto m13 = load(model({node("Unsqueeze", {"x", "a"}, {"y"})}, {value_info("x", kF32, {2, 3})}, {value_info("y", kF32, {2, 1, 3})},
                          {tensor_i64("a", {1}, {-2})}, 13));
    run1(*m13, {2, 3}, x);
    CHECK(m13->output(0).shape == wasmq::rt::Shape{2, 1, 3});
  }
}

TEST_CASE("run-time op errors name the node and leave the model usable", "[runtime]") {
  auto m = load(model({node("Gather", {"x", "i"}, {"y"}, {}, "g")}, {value_info("x", kF32, {3}), value_info("i", kI64, {1})},
                      {value_info("y", kF32, {1})}));
  const float x[3] = {1, 2, 3};
  std::memcpy(m->stage_input(0, ElemType::kFloat, {3}), x, 12);
  int64_t bad = 7, good = -1;
  std::memcpy(m->stage_input(1, ElemType::kInt64, {1}), &bad, 8);
  CHECK_THROWS_WITH(m->run(), Contains("'g'") && Contains("out of range"));
  std::memcpy(m->stage_input(1, ElemType::kInt64, {1}), &good, 8);
  m->run();
  CHECK(m->output(0).as<const float>()[0] == 3.0f);
}

TEST_CASE("Gelu (opset 20) exact and tanh approximation", "[runtime]") {
  // No libonnx-testdata case covers Gelu (added in opset 20): reference values from the formulas.
  const std::vector<float> x{-1.0f, 0.0f, 1.0f, 3.0f};
  auto exact = load(model({node("Gelu", {"x"}, {"y"})}, {value_info("x", kF32, {4})}, {value_info("y", kF32, {4})}, {}, 20));
  const auto y = run1(*exact, {4}, x);
  CHECK(y[0] == Approx(-0.15865526f).epsilon(1e-6));
  CHECK(y[1] == 0.0f);
  CHECK(y[2] == Approx(0.84134474f).epsilon(1e-6));
  CHECK(y[3] == Approx(2.99595031f).epsilon(1e-6));
  auto approx = load(model({node("Gelu", {"x"}, {"y"}, {attr_string("approximate", "tanh")})}, {value_info("x", kF32, {4})},
                           {value_info("y", kF32, {4})}, {}, 20));
  const auto z = run1(*approx, {4}, x);
  CHECK(z[0] == Approx(-0.15880801f).epsilon(1e-6));
  CHECK(z[2] == Approx(0.84119199f).epsilon(1e-6));
  CHECK_THAT(load_error(model({node("Gelu", {"x"}, {"y"}, {attr_string("approximate", "fast")}, "gl")}, {value_info("x", kF32, {4})},
                              {value_info("y", kF32, {4})}, {}, 20)),
             Contains("'gl'") && Contains("approximate='fast'"));
}

TEST_CASE("graph outputs that are inputs or constants, and unused inputs", "[runtime]") {
  // y = x passed through with no node, c = an initializer, z = Relu(x); u is unused.
  auto m = load(model({node("Relu", {"x"}, {"z"})}, {value_info("x", kF32, {2}), value_info("u", kF32, {1})},
                      {value_info("x", kF32, {2}), value_info("c", kF32, {3}), value_info("z", kF32, {2})},
                      {tensor_f32("c", {3}, {7, 8, 9})}));
  const float x[2] = {-1, 2}, u = 5;
  std::memcpy(m->stage_input(0, ElemType::kFloat, {2}), x, 8);
  std::memcpy(m->stage_input(1, ElemType::kFloat, {1}), &u, 4);
  m->run();
  CHECK(m->output(0).as<const float>()[1] == 2.0f);
  CHECK(m->output(1).as<const float>()[2] == 9.0f);
  CHECK(m->output(2).as<const float>()[0] == 0.0f);
  CHECK(m->num_steps() == 1);
}

TEST_CASE("a missing feed is reported by name", "[runtime]") {
  auto m = load(relu_model());
  CHECK_THROWS_WITH(m->run(), Contains("input 'x' was not given"));
}

TEST_CASE("pre-opset-7 forms: Reshape shape attribute, Concat default axis, legacy broadcast", "[runtime]") {
  const std::vector<float> x{1, 2, 3, 4, 5, 6};
  auto r4 = load(model({node("Reshape", {"x"}, {"y"}, {attr_ints("shape", {3, -1})})}, {value_info("x", kF32, {2, 3})},
                       {value_info("y", kF32, {3, 2})}, {}, 4));
  run1(*r4, {2, 3}, x);
  CHECK(r4->output(0).shape == wasmq::rt::Shape{3, 2});
  auto c3 = load(model({node("Concat", {"x", "x"}, {"y"})}, {value_info("x", kF32, {2, 3})}, {value_info("y", kF32, {2, 6})}, {}, 3));
  CHECK(run1(*c3, {2, 3}, x) == std::vector<float>{1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6});
  // Opset 6 Add with broadcast=1, axis=0: B [2] aligned with A's first axis.
  auto a6 = load(model({node("Add", {"x", "b"}, {"y"}, {attr_int("broadcast", 1), attr_int("axis", 0)})}, {value_info("x", kF32, {2, 3})},
                       {value_info("y", kF32, {2, 3})}, {tensor_f32("b", {2}, {10, 20})}, 6));
  CHECK(run1(*a6, {2, 3}, x) == std::vector<float>{11, 12, 13, 24, 25, 26});
}

TEST_CASE("Reshape/Flatten/Unsqueeze share their input's buffer instead of copying", "[runtime]") {
  // x -> Neg -> a -> Reshape -> b -> Flatten -> c -> Unsqueeze -> d -> Relu -> y ; b is also an output.
  auto m = load(model({node("Neg", {"x"}, {"a"}), node("Reshape", {"a", "s"}, {"b"}), node("Flatten", {"b"}, {"c"}),
                       node("Unsqueeze", {"c", "ax"}, {"d"}), node("Relu", {"d"}, {"y"})},
                      {value_info("x", kF32, {2, 128})}, {value_info("y", kF32, {1, 4, 64}), value_info("b", kF32, {4, 64})},
                      {tensor_i64("s", {2}, {4, 64}), tensor_i64("ax", {1}, {0})}));
  std::vector<float> x(256);
  for (int i = 0; i < 256; ++i) x[i] = static_cast<float>(i - 100);
  const auto y = run1(*m, {2, 128}, x);
  for (int i = 0; i < 256; ++i) REQUIRE(y[i] == std::max(0.0f, static_cast<float>(100 - i)));
  const auto& b = m->output(1);
  CHECK(b.shape == wasmq::rt::Shape{4, 64});
  CHECK(b.as<const float>()[255] == -155.0f);  // b kept alive (graph output) while Relu writes y
  CHECK(m->output(0).shape == wasmq::rt::Shape{1, 4, 64});
  CHECK(m->num_steps() == 2);                  // Neg and Relu; the three relabelling ops run nothing
  CHECK(m->arena_bytes() == 2 * 1024);         // a/b/c/d share one buffer, y has its own
}

TEST_CASE("profiling accumulates per executed step and is off by default", "[runtime]") {
  const std::string bytes = model({node("Relu", {"x"}, {"r"}), node("Neg", {"r"}, {"y"})},
                                  {value_info("x", kF32, {1, 3})}, {value_info("y", kF32, {1, 3})});
  auto m = load(bytes);
  run1(*m, {1, 3}, {1, -2, 3});
  CHECK(m->profile().empty());  // off: nothing recorded
  m->set_profiling(true);
  run1(*m, {1, 3}, {1, -2, 3});
  run1(*m, {1, 3}, {1, -2, 3});
  const auto p = m->profile();
  REQUIRE(p.size() == 2);
  CHECK(p[0].op_type == "Relu");
  CHECK(p[1].op_type == "Neg");
  CHECK(p[0].runs == 2);
  CHECK(p[0].ms >= 0);
  m->set_profiling(false);
  CHECK(m->profile().empty());
}

TEST_CASE("Pow(x, 2) squares exactly as pow does, including NaN, Inf, -0 and overflow", "[runtime]") {
  // The float fast path (x * x) must equal std::pow in double rounded to float, bit for bit.
  for (const char* e_name : {"two", "three"}) {
    const std::string bytes =
        model({node("Pow", {"x", e_name}, {"y"}, {}, "pow")}, {value_info("x", 1, {-1})}, {value_info("y", 1, {-1})},
              {tensor_f32("two", {}, {2.0f}), tensor_f32("three", {}, {3.0f})});
    auto m = load(bytes);
    std::vector<float> x = {0.0f, -0.0f, 1.5f, -3.25f, 1e-23f, 1e20f, -1e20f, 3.4e38f, NAN, INFINITY, -INFINITY, 1.17549435e-38f};
    for (int i = 0; i < 200; ++i) x.push_back(std::ldexp(static_cast<float>(i % 17) - 8.3f, (i * 7) % 60 - 30));
    const std::vector<float> y = run1(*m, {static_cast<int64_t>(x.size())}, x);
    const double e = std::string(e_name) == "two" ? 2.0 : 3.0;
    for (size_t i = 0; i < x.size(); ++i) {
      const float want = static_cast<float>(std::pow(static_cast<double>(x[i]), e));
      INFO("x = " << x[i] << ", exponent " << e);
      uint32_t a, b;
      std::memcpy(&a, &y[i], 4);
      std::memcpy(&b, &want, 4);
      if (std::isnan(want)) REQUIRE(std::isnan(y[i]));
      else REQUIRE(a == b);
    }
  }
}

TEST_CASE("streamed outputs are handed over as they are produced and their buffers are reused", "[runtime]") {
  // x -> Neg t0 -> Neg t1 -> ... -> Neg t6 -> Relu y; every t_i is an output too, as are an
  // Identity of the input x, a Reshape alias of t3 and a Shape folded at plan time.
  std::vector<Pb> nodes;
  std::vector<Pb> outs = {value_info("y", kF32, {256})};
  std::string prev = "x";
  for (int i = 0; i < 8; ++i) {
    const std::string next = i == 7 ? "y" : "t" + std::to_string(i);
    nodes.push_back(node(i == 7 ? "Relu" : "Neg", {prev}, {next}));
    if (i < 7) outs.push_back(value_info(next, kF32, {256}));
    prev = next;
  }
  nodes.push_back(node("Identity", {"x"}, {"xi"}));
  nodes.push_back(node("Reshape", {"t3", "s"}, {"t3r"}));
  nodes.push_back(node("Shape", {"x"}, {"xs"}));
  outs.push_back(value_info("xi", kF32, {256}));     // 8
  outs.push_back(value_info("t3r", kF32, {16, 16}));  // 9
  outs.push_back(value_info("xs", kI64, {1}));        // 10
  outs.push_back(value_info("x", kF32, {256}));       // 11: the graph input itself
  auto m = load(model(nodes, {value_info("x", kF32, {256})}, outs, {tensor_i64("s", {2}, {16, 16})}));
  std::vector<float> x(256);
  for (int i = 0; i < 256; ++i) x[i] = static_cast<float>(i - 128);
  run1(*m, {256}, x);
  CHECK(m->arena_bytes() >= 8 * 1024);  // every output lives to the end
  CHECK(m->output(4).as<const float>()[0] == -128.0f);  // t3 = x after four Neg

  std::vector<size_t> order;
  std::vector<float> first(12, 0.0f);
  std::vector<wasmq::rt::Shape> shapes(12);
  std::vector<size_t> streamed = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  m->stream_outputs(streamed, [&](size_t i, const wasmq::rt::Tensor& t) {
    order.push_back(i);
    shapes[i] = t.shape;
    first[i] = t.dtype == ElemType::kFloat ? t.as<const float>()[0] : static_cast<float>(t.as<const int64_t>()[0]);
  });
  const auto y = run1(*m, {256}, x);
  for (int i = 0; i < 256; ++i) REQUIRE(y[i] == std::max(0.0f, static_cast<float>(128 - i)));
  CHECK(m->arena_bytes() <= 2 * 1024);  // as the plain chain: two live 1 KiB buffers at a time
  // Plan-time values and the input first, then each output after the step writing its buffer
  // (t3's Reshape alias with t3; the Identity copy of x is a step of its own, after Relu).
  CHECK(order == std::vector<size_t>{10, 11, 1, 2, 3, 4, 9, 5, 6, 7, 8});
  for (int i = 0; i < 7; ++i) CHECK(first[1 + i] == (i % 2 ? -128.0f : 128.0f));
  CHECK(first[8] == -128.0f);
  CHECK(first[9] == -128.0f);
  CHECK(first[11] == -128.0f);
  CHECK(shapes[9] == wasmq::rt::Shape{16, 16});
  CHECK(first[10] == 256.0f);
  CHECK_THROWS_WITH(m->output(3), Contains("streamed"));
  CHECK_THROWS_WITH(m->stream_outputs({12}, [](size_t, const wasmq::rt::Tensor&) {}), Contains("out of range"));

  // Profiled runs stream too; an empty list turns streaming off and the outputs are kept again.
  order.clear();
  m->set_profiling(true);
  run1(*m, {256}, x);
  CHECK(order.size() == 11);
  m->set_profiling(false);
  m->stream_outputs({}, nullptr);
  run1(*m, {256}, x);
  CHECK(m->output(4).as<const float>()[0] == -128.0f);
  CHECK(m->arena_bytes() >= 8 * 1024);
}
