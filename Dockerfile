# The API and worker image (CPU). For GPU inference serve the model with the vllm service instead.
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 NO_ALBUMENTATIONS_UPDATE=1
WORKDIR /app
COPY . /app
RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu -e .
RUN useradd --system --uid 10001 tutor && mkdir -p /data && chown tutor /data
USER tutor
ENV TUTOR_DATA_DIR=/data TUTOR_HOST=0.0.0.0
EXPOSE 8000
CMD ["tutor", "serve"]
