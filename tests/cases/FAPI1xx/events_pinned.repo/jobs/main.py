from fastapi import FastAPI

from jobs.scheduler import scheduler

app = FastAPI(title="Jobs")
app.add_event_handler("startup", scheduler.start)
app.add_event_handler("shutdown", scheduler.shutdown)
