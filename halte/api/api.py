from ninja import NinjaAPI

api = NinjaAPI(title="Halte API", version="1", urls_namespace="api")
