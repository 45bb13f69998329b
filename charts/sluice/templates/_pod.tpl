{{/* Pod template of the controller; deploy/50-deployment.yaml explains each choice. */}}
{{- define "sluice.podTemplate" -}}
metadata:
  labels:
    {{- include "sluice.selectorLabels" . | nindent 4 }}
    app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
  {{- with .Values.podAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  serviceAccountName: {{ include "sluice.serviceAccountName" . }}
  {{- if .Values.hostNetwork }}
  hostNetwork: true
  # A hostNetwork pod otherwise resolves names with the node's resolv.conf.
  dnsPolicy: ClusterFirstWithHostNet
  {{- end }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- if not .Values.hostNetwork }}
    runAsNonRoot: true
    runAsUser: 65532
    runAsGroup: 65532
    {{- end }}
    seccompProfile:
      type: RuntimeDefault
  {{- if and (eq .Values.kind "Deployment") .Values.topologySpread }}
  {{- $selector := include "sluice.selectorLabels" . | fromYaml }}
  {{- $constraints := list }}
  {{- range .Values.topologySpread }}
  {{- $c := deepCopy . }}
  {{- if not (hasKey $c "labelSelector") }}
  {{- $_ := set $c "labelSelector" (dict "matchLabels" $selector) }}
  {{- $_ := set $c "matchLabelKeys" (list "pod-template-hash") }}
  {{- end }}
  {{- $constraints = append $constraints $c }}
  {{- end }}
  topologySpreadConstraints:
    {{- toYaml $constraints | nindent 4 }}
  {{- end }}
  containers:
    - name: controller
      image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      args:
        {{- include "sluice.args" . | nindent 8 }}
      env:
        - name: POD_NAMESPACE
          valueFrom:
            fieldRef:
              fieldPath: metadata.namespace
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
      ports:
        - name: http
          containerPort: {{ include "sluice.httpPort" . }}
          {{- if .Values.hostNetwork }}
          hostPort: {{ include "sluice.httpPort" . }}
          {{- end }}
          protocol: TCP
        - name: https
          containerPort: {{ include "sluice.httpsPort" . }}
          {{- if .Values.hostNetwork }}
          hostPort: {{ include "sluice.httpsPort" . }}
          {{- end }}
          protocol: TCP
        - name: metrics
          containerPort: {{ .Values.adminPort }}
          {{- if .Values.hostNetwork }}
          hostPort: {{ .Values.adminPort }}
          {{- end }}
          protocol: TCP
      # /healthz: 200 once the initial sync is done and the first route table is live, 503
      # before that and from SIGTERM on.
      startupProbe:
        httpGet:
          path: /healthz
          port: {{ .Values.adminPort }}
        periodSeconds: 5
        timeoutSeconds: 2
        failureThreshold: 60
      readinessProbe:
        httpGet:
          path: /healthz
          port: {{ .Values.adminPort }}
        periodSeconds: 5
        timeoutSeconds: 2
        successThreshold: 1
        failureThreshold: 2
      livenessProbe:
        httpGet:
          path: /healthz
          port: {{ .Values.adminPort }}
        periodSeconds: 10
        timeoutSeconds: 5
        successThreshold: 1
        failureThreshold: 6
      {{- if gt (int .Values.preStopSleepSeconds) 0 }}
      lifecycle:
        preStop:
          sleep:
            seconds: {{ .Values.preStopSleepSeconds }}
      {{- end }}
      {{- with .Values.resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        {{- if .Values.hostNetwork }}
        # Binding the node's ports below 1024 needs NET_BIND_SERVICE, which Kubernetes makes
        # effective only for uid 0; every other capability is dropped.
        runAsNonRoot: false
        runAsUser: 0
        capabilities:
          drop: [ALL]
          add: [NET_BIND_SERVICE]
        {{- else }}
        runAsNonRoot: true
        capabilities:
          drop: [ALL]
        {{- end }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
  volumes:
    # The root filesystem is read-only; /tmp is the only writable place.
    - name: tmp
      emptyDir:
        sizeLimit: 64Mi
{{- end -}}
