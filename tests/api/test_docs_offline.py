"""/api/docs/ works on a network without internet: Swagger UI's assets come from this server."""

import re


def test_swagger_ui_loads_its_assets_from_this_server(client, db):
    html = client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(
        r'["\']([^"\']+swagger-ui[^"\']*\.(?:js|css))', html
    )
    assert any("swagger-ui-bundle" in a for a in assets), assets
    assert not [a for a in assets if a.startswith(("http://", "https://", "//"))], assets
