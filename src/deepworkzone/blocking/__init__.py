"""Website and app blocking: category lists, hosts file, proxy, system proxy, app blocker."""
