// Catch2 main (its own file: this translation unit is the slow one to compile).
#define CATCH_CONFIG_MAIN
#include <catch.hpp>
