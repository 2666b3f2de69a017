"""Tests of bound_demo.views (a package so its helper modules cannot clash with others')."""
