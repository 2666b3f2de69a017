def pytest_configure(config):
    config.addinivalue_line(
        "markers", "ci: slow test that must run in CI (e.g. a fresh virtualenv from requirements.txt)")
