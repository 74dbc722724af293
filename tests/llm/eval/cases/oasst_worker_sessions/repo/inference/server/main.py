import fastapi
from oasst_inference_server.routes import workers

app = fastapi.FastAPI(title="oasst-inference-server")
app.include_router(workers.router)
