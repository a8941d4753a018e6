{{/* Names and labels. */}}
{{- define "telemetryflow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "telemetryflow.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "telemetryflow.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "telemetryflow.labels" -}}
helm.sh/chart: {{ include "telemetryflow.chart" . }}
{{ include "telemetryflow.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "telemetryflow.selectorLabels" -}}
app.kubernetes.io/name: {{ include "telemetryflow.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of one role: (dict "root" $ "role" "collector") */}}
{{- define "telemetryflow.roleLabels" -}}
{{ include "telemetryflow.labels" .root }}
app.kubernetes.io/component: {{ .role }}
{{- end }}

{{- define "telemetryflow.roleSelectorLabels" -}}
{{ include "telemetryflow.selectorLabels" .root }}
app.kubernetes.io/component: {{ .role }}
{{- end }}

{{- define "telemetryflow.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "telemetryflow.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "telemetryflow.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "telemetryflow.secretName" -}}
{{- default (include "telemetryflow.fullname" .) .Values.existingSecret }}
{{- end }}

{{/* ConfigMap data: every non-secret setting. */}}
{{- define "telemetryflow.configData" -}}
TF_HOST: "0.0.0.0"
TF_HTTP_PORT: "8080"
TF_OTLP_HTTP_PORT: "4318"
TF_OTLP_GRPC_PORT: "4317"
TF_METRICS_PORT: "9464"
# The roles stage nothing on disk when they talk to servers; /tmp is an emptyDir.
TF_DATA_DIR: /tmp/telemetryflow
TF_NATS_REPLICAS: {{ .Values.nats.replicas | quote }}
{{- with .Values.clickhouse.cluster }}
TF_CLICKHOUSE_CLUSTER: {{ . | quote }}
{{- end }}
{{- with .Values.bootstrap.adminEmail }}
TF_BOOTSTRAP_ADMIN_EMAIL: {{ . | quote }}
{{- end }}
{{- range $name, $value := .Values.config }}
{{ $name }}: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{/* Secret data (stringData): connection URLs and bootstrap credentials. */}}
{{- define "telemetryflow.secretData" -}}
CLICKHOUSE_URL: {{ required "clickhouse.url is required (or existingSecret)" .Values.clickhouse.url | quote }}
DATABASE_URL: {{ required "postgres.url is required (or existingSecret)" .Values.postgres.url | quote }}
NATS_URL: {{ required "nats.url is required (or existingSecret)" .Values.nats.url | quote }}
{{- with .Values.bootstrap.apiKey }}
{{- if lt (len .) 16 }}{{ fail "bootstrap.apiKey must be at least 16 characters" }}{{ end }}
TF_BOOTSTRAP_API_KEY: {{ . | quote }}
{{- end }}
{{- with .Values.bootstrap.adminPassword }}
TF_BOOTSTRAP_ADMIN_PASSWORD: {{ . | quote }}
{{- end }}
{{- with .Values.auth.jwtSecret }}
{{- if lt (len .) 32 }}{{ fail "auth.jwtSecret must be at least 32 characters" }}{{ end }}
TF_JWT_SECRET: {{ . | quote }}
{{- end }}
{{- range $name, $value := .Values.secretConfig }}
{{ $name }}: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{/* Pod annotations: config checksum (roll pods when settings change) and Prometheus scraping. */}}
{{- define "telemetryflow.podAnnotations" -}}
checksum/config: {{ include "telemetryflow.configData" .root | sha256sum }}
{{- if not .root.Values.existingSecret }}
checksum/secret: {{ include "telemetryflow.secretData" .root | sha256sum }}
{{- end }}
{{- if .root.Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: "9464"
prometheus.io/path: /metrics
{{- end }}
{{- with .extra }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Pod spec of one role: (dict "root" $ "role" "collector" "args" (list "collector") "values" .Values.collector
"probePort" "metrics" "ports" (list …) "configName" … "secretName" … "serviceAccountName" …). Probes: liveness /health,
readiness /ready on probePort.
*/}}
{{- define "telemetryflow.podSpec" -}}
{{- $root := .root -}}
serviceAccountName: {{ .serviceAccountName }}
automountServiceAccountToken: false
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml $root.Values.podSecurityContext | nindent 2 }}
{{- with .restartPolicy }}
restartPolicy: {{ . }}
{{- end }}
containers:
  - name: {{ .role }}
    image: {{ include "telemetryflow.image" $root | quote }}
    imagePullPolicy: {{ $root.Values.image.pullPolicy }}
    args:
      {{- toYaml .args | nindent 6 }}
    envFrom:
      - configMapRef:
          name: {{ .configName }}
      - secretRef:
          name: {{ .secretName }}
    {{- if or .values.workers .values.extraEnv }}
    env:
      {{- with .values.workers }}
      - name: TF_INGEST_WORKERS
        value: {{ . | quote }}
      {{- end }}
      {{- with .values.extraEnv }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
    {{- end }}
    ports:
      {{- range .ports }}
      - name: {{ .name }}
        containerPort: {{ .port }}
        protocol: TCP
      {{- end }}
      - name: metrics
        containerPort: 9464
        protocol: TCP
    {{- with .probePort }}
    startupProbe:
      httpGet: { path: /health, port: {{ . }} }
      periodSeconds: 5
      failureThreshold: 60
    livenessProbe:
      httpGet: { path: /health, port: {{ . }} }
      periodSeconds: 10
      timeoutSeconds: 5
      failureThreshold: 3
    readinessProbe:
      httpGet: { path: /ready, port: {{ . }} }
      periodSeconds: 5
      timeoutSeconds: 5
      failureThreshold: 3
    {{- end }}
    resources:
      {{- toYaml .values.resources | nindent 6 }}
    securityContext:
      {{- toYaml $root.Values.securityContext | nindent 6 }}
    volumeMounts:
      - name: tmp
        mountPath: /tmp
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 256Mi
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Deployment of one role: (dict "root" $ "role" … "values" … "ports" … "probePort" … "fixedReplicas" bool) */}}
{{- define "telemetryflow.deployment" -}}
{{- $root := .root -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "telemetryflow.fullname" $root }}-{{ .role }}
  labels:
    {{- include "telemetryflow.roleLabels" . | nindent 4 }}
spec:
  {{- if .fixedReplicas }}
  replicas: {{ .values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  selector:
    matchLabels:
      {{- include "telemetryflow.roleSelectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "telemetryflow.roleSelectorLabels" . | nindent 8 }}
      annotations:
        {{- include "telemetryflow.podAnnotations" (dict "root" $root "extra" .values.podAnnotations) | nindent 8 }}
    spec:
      # SIGTERM: receivers stop, writers finish and ack the batch under way, then exit.
      terminationGracePeriodSeconds: {{ .terminationGracePeriodSeconds | default 60 }}
      {{- include "telemetryflow.podSpec" (merge (dict "configName" (include "telemetryflow.fullname" $root) "secretName" (include "telemetryflow.secretName" $root) "serviceAccountName" (include "telemetryflow.serviceAccountName" $root)) .) | nindent 6 }}
{{- end }}

{{/* HorizontalPodAutoscaler on CPU for one role: (dict "root" $ "role" … "values" …) */}}
{{- define "telemetryflow.hpa" -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "telemetryflow.fullname" .root }}-{{ .role }}
  labels:
    {{- include "telemetryflow.roleLabels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "telemetryflow.fullname" .root }}-{{ .role }}
  minReplicas: {{ .values.autoscaling.minReplicas }}
  maxReplicas: {{ .values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .values.autoscaling.targetCPUUtilizationPercentage }}
{{- end }}

{{/* PodDisruptionBudget for one role. */}}
{{- define "telemetryflow.pdb" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "telemetryflow.fullname" .root }}-{{ .role }}
  labels:
    {{- include "telemetryflow.roleLabels" . | nindent 4 }}
spec:
  minAvailable: {{ .values.pdb.minAvailable }}
  selector:
    matchLabels:
      {{- include "telemetryflow.roleSelectorLabels" . | nindent 6 }}
{{- end }}
