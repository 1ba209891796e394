"""What several test files share: fixtures, readers of feeds and pages, real servers.

Imported absolutely (`from tests.support.feed_fixtures import …`), never by bare name.
"""
